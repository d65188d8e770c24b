using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmentation.Masks;
using Serilog;

namespace Simulator.Campaign;

/// <summary>
/// The queue-bench command: N annotators take tasks from a running campaign as fast as the server gives them and answer
/// each at once (mostly accepting, sometimes one click at the box centre), to measure what next and submit cost at a
/// campaign's size. No think time, no model work beyond what the campaign's model needs; loopback only.
/// </summary>
public static class QueueBenchCommand
{
    public static int Run(string[] args)
    {
        var cli = new CommandLine(args, new HashSet<string>());
        var api = new Uri(cli.Optional("server") ?? "http://127.0.0.1:5080/");
        var campaignId = cli.Required("campaign");
        var annotators = cli.Int("annotators", 16, 1, 256);
        var answers = cli.Int("answers", 2000, 1, 10_000_000);
        var clickShare = cli.Double("click-share", 0.3, 0, 1);
        var seed = cli.Int("seed", 1);
        var outPath = cli.Optional("out");
        var token = cli.Optional("token") ?? Environment.GetEnvironmentVariable(ApiCredentials.TokenVariable)
            ?? throw new UsageException($"queue-bench needs a manager's token: --token or {ApiCredentials.TokenVariable}.");
        if (!api.IsLoopback) throw new UsageException("queue-bench sends load: --server must be a loopback address.");

        var credentials = new ApiCredentials(token);
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(60) };
        var log = new MeasurementLog();
        var client = new CampaignApiClient(http, log, credentials: credentials);
        var names = Enumerable.Range(1, annotators).Select(i => $"bench-{i}").ToArray();
        var watch = Stopwatch.StartNew();
        var done = 0;
        var empty = 0;
        try
        {
            foreach (var name in names)
            {
                client.EnsureAnnotatorAsync(campaignId, name, CancellationToken.None).GetAwaiter().GetResult();
                client.QualifyAsync(name, CancellationToken.None).GetAwaiter().GetResult();
            }
            log.Clear();
            watch.Restart();
            var workers = names.Select((name, k) => Task.Run(async () =>
            {
                var random = new Random(seed * 1000 + k);
                while (Interlocked.Increment(ref done) <= answers)
                {
                    var next = await client.NextAsync(campaignId, name, CancellationToken.None);
                    if (next.Task is not { } task)
                    {
                        Interlocked.Increment(ref empty);
                        Interlocked.Decrement(ref done);
                        if (Volatile.Read(ref empty) > annotators * 20) return;
                        await Task.Delay(next.RetryAfter ?? TimeSpan.FromMilliseconds(200));
                        continue;
                    }
                    var clicks = random.NextDouble() < clickShare && task.Box is { } b
                        ? new[] { new ApiClick((b.X0 + b.X1) / 2, (b.Y0 + b.Y1) / 2, ClickLabel.Foreground) }
                        : [];
                    await client.SubmitAsync(campaignId, name, task.InstanceId,
                        new SubmitRequest($"bench-{Guid.NewGuid():N}", task.Round, clicks, 1.0), CancellationToken.None);
                }
            })).ToArray();
            Task.WaitAll(workers);
        }
        finally
        {
            client.RevokeAnnotatorTokensAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        var seconds = watch.Elapsed.TotalSeconds;
        var next = log.Summary("next");
        var submit = log.Summary("submit");
        var answered = submit.Count;
        Console.WriteLine($"{answered} answers by {annotators} annotators in {seconds:F1} s ({answered / seconds:F1} answers/s)");
        Console.WriteLine($"next:   p50 {next.P50:F1} ms, p95 {next.P95:F1} ms, p99 {next.P99:F1} ms ({next.Count} calls)");
        Console.WriteLine($"submit: p50 {submit.P50:F1} ms, p95 {submit.P95:F1} ms, p99 {submit.P99:F1} ms ({submit.Count} calls)");
        if (outPath is not null)
        {
            var report = new JsonObject
            {
                ["campaign"] = campaignId, ["annotators"] = annotators, ["answers"] = answered, ["seconds"] = seconds,
                ["next"] = JsonSerializer.SerializeToNode(next), ["submit"] = JsonSerializer.SerializeToNode(submit),
            };
            File.WriteAllText(outPath, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            Log.Information("Wrote {Report}", outPath);
        }
        return 0;
    }
}
