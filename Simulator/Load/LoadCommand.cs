using System.Diagnostics;
using Segmentation.Evaluation.Datasets;
using Serilog;
using Simulator.Campaign;

namespace Simulator.Load;

/// <summary>
/// The load command: simulated people work in a campaign at human pace, level by level (1, 2, 4, ... people at once),
/// and each level's latencies, waits for work and server usage are reported, with the largest level within the targets.
/// </summary>
public static class LoadCommand
{
    private static readonly TimeSpan ModelPoll = TimeSpan.FromSeconds(2);

    /// <param name="args">The options after the command word.</param>
    public static int Run(string[] args)
    {
        var options = LoadOptions.Parse(args);
        var campaign = options.Campaign;
        var dataset = CampaignCommand.LoadDataset(campaign);
        var subset = DatasetSubset.EveryNth(dataset.Instances, campaign.Every);
        var instances = Enumerable.Repeat(subset, options.Repeat).SelectMany(i => i).ToArray();
        var plan = CampaignPlan.Build(instances, campaign.ImagesDir, campaign.Seed, campaign.Boxes, campaign.Rounds);
        if (plan.Instances.Count == 0) throw new InvalidDataException("No instance to import: the dataset is empty or every item was rejected.");

        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(campaign.TimeoutMinutes));
        using var http = new HttpClient { BaseAddress = campaign.Api, Timeout = TimeSpan.FromSeconds(60) };
        IReadOnlyList<LoadLevelResult> levels;
        try
        {
            levels = RunAsync(options, plan, http, limit.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            throw new CampaignFailedException($"The load run did not end within --timeout-minutes {campaign.TimeoutMinutes}.");
        }
        finally
        {
            try
            {
                new CampaignApiClient(http, new MeasurementLog(), null, campaign.Credentials).RevokeAnnotatorTokensAsync(limit.Token).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is CampaignFailedException or HttpRequestException or OperationCanceledException)
            {
                // Reported, not thrown: an error of the run itself must not be replaced by this one.
                Log.Warning("The simulated people's tokens could not all be revoked: {Message}", ex.Message);
            }
        }

        var report = new LoadReport(options, plan.Instances.Count, levels);
        Console.WriteLine(report.Table());
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.OutPath))!);
        File.WriteAllText(options.OutPath, report.ToJsonString());
        var plot = Path.ChangeExtension(options.OutPath, ".svg");
        File.WriteAllText(plot, LoadPlot.Svg(report));
        Log.Information("Wrote {Result} and {Plot}", options.OutPath, plot);
        return 0;
    }

    private static async Task<IReadOnlyList<LoadLevelResult>> RunAsync(LoadOptions options, CampaignPlan plan, HttpClient http, CancellationToken ct)
    {
        var campaign = options.Campaign;
        await new CampaignRunner(campaign, plan, http).PrepareAsync(ct);
        var api = new CampaignApiClient(http, new MeasurementLog(), null, campaign.Credentials);
        await WaitForFirstMasksAsync(api, campaign.CampaignId, ct);
        var results = new List<LoadLevelResult>();
        foreach (var people in options.Levels)
        {
            var result = await RunLevelAsync(options, plan, http, people, ct);
            results.Add(result);
            Log.Information(
                "{People} people: {Tasks} tasks in {Wall:F0} s, preview p50/p95 {P50:F0}/{P95:F0} ms, longest wait {Wait:F1} s{Cpu}{Verdict}",
                people, result.Tasks, result.Wall.TotalSeconds, result.Preview.P50, result.Preview.P95, result.LongestWaitSeconds,
                result.Server is { } s ? $", server {s.CpuCores:F2} cores ({s.MachineCpuCores:F2} on the machine), {s.PeakResidentMiB:F0} MiB" : "",
                result.WithinTarget ? " (within target)" : result.RanOutOfWork ? " (the campaign ran out of tasks)" : " (over target)");
            if (result.RanOutOfWork)
            {
                Log.Warning("The campaign has no tasks left; the levels after {People} people are not run. Import more instances (--every 1) or shorten --seconds.", people);
                break;
            }
        }
        return results;
    }

    /// <summary>Round 0 (the box model's masks of every imported instance) is set-up, not load: the levels start after it.</summary>
    private static async Task WaitForFirstMasksAsync(CampaignApiClient api, string campaignId, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        while (true)
        {
            var progress = await api.ProgressAsync(campaignId, ct);
            if (progress.Model is { } model && model.Failed > 0)
                throw new CampaignFailedException($"The server's model failed on {model.Failed} instances of campaign {campaignId}; see its log.");
            if (progress.Model is null || progress.Model.Pending == 0) break;
            if (watch.Elapsed - reported >= TimeSpan.FromSeconds(30))
            {
                reported = watch.Elapsed;
                Log.Information("Waiting for the first masks: {Pending} instances still with the model, {Completed} done", progress.Model.Pending, progress.Model.Completed);
            }
            await Task.Delay(ModelPoll, ct);
        }
        Log.Information("First masks of campaign {Id} ready after {Seconds:F0} s", campaignId, watch.Elapsed.TotalSeconds);
    }

    private static async Task<LoadLevelResult> RunLevelAsync(LoadOptions options, CampaignPlan plan, HttpClient http, int people, CancellationToken ct)
    {
        var measurements = new MeasurementLog();
        var api = new CampaignApiClient(http, measurements, null, options.Campaign.Credentials);
        var clock = Stopwatch.StartNew();
        var state = new LoadLevelState(options, plan, api, clock);
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var usage = options.ServerProcessIds.Count > 0 ? new ServerProcesses(options.ServerProcessIds).MeasureAsync(sampling.Token) : null;
        var until = TimeSpan.FromSeconds(options.Seconds);
        var seed = options.Campaign.Seed;
        var annotators = options.Campaign.AnnotatorIds.Take(people)
            .Select((id, index) => new PacedAnnotator(id, state, new Random(unchecked(seed * 7919 + people * 104_729 + index))))
            .Select(a => a.RunAsync(until, ct))
            .ToArray();
        await Task.WhenAll(annotators);
        var wall = clock.Elapsed;
        await sampling.CancelAsync();
        var server = usage is null ? null : await usage;
        var totals = state.Totals();
        var preview = PercentileSummary.Of(measurements.Values("preview"));
        var counters = measurements.Counters();
        var retries = counters.Where(c => c.Key.StartsWith("retries.", StringComparison.Ordinal)).Sum(c => c.Value);
        var throttled = counters.Where(c => c.Key.StartsWith("throttled.", StringComparison.Ordinal)).Sum(c => c.Value);
        // A level is within the targets only with enough previews to judge, and without a failed or refused call.
        var within = preview.Count >= LoadLevelResult.MinPreviews && preview.P95 < options.PreviewP95TargetMs
            && totals.Longest <= options.MaxWaitTargetSeconds && !totals.RanOut && retries == 0 && throttled == 0;
        return new LoadLevelResult(
            people, wall, totals.Tasks, totals.Clicks, totals.Encoded,
            PercentileSummary.Of(measurements.Values("next")), preview, PercentileSummary.Of(measurements.Values("submit")),
            PercentileSummary.Of(measurements.Values("server.decoder")), PercentileSummary.Of(measurements.Values("server.queue")),
            retries, throttled, PercentileSummary.Of(totals.Waits), totals.Longest, totals.WaitsOverTarget, totals.RanOut, server, within);
    }
}
