using System.Globalization;
using System.Text.Json.Nodes;
using Segmentation.Evaluation.Datasets;
using Segmentation.Tests;
using Simulator.Campaign;

namespace Backend.Tests.Cluster;

/// <summary>A simulated campaign's outcome: the runner's result, what went over the wire, and the export.</summary>
public sealed record FaultCampaignRun(
    CampaignResult Result, CampaignTraffic Traffic, IReadOnlyDictionary<string, ExportedInstance> Export, TimeSpan Wall, string Progress)
{
    /// <summary>The export as compared between runs: per instance id, what does not depend on who answered or when.</summary>
    public IReadOnlyDictionary<string, string> Comparable => Export.ToDictionary(e => e.Key, e => e.Value.Comparable, StringComparer.Ordinal);
}

/// <summary>One exported instance: status, mask and rounds in one comparable line, and the rounds answered with their clicks.</summary>
public sealed record ExportedInstance(string Comparable, IReadOnlyList<(int Round, int Clicks)> Rounds);

/// <summary>
/// One three-silo cluster (restarting a silo a second after it exits) with one client-only gateway, shared by the fault
/// tests, and the export of the same campaign run on it without faults, which every faulty run must reproduce.
/// </summary>
public sealed class ClusterFaultFixture : IAsyncLifetime
{
    /// <summary>Every 4th DAVIS object: 87 instances, enough answers for five kills, each followed by a restart.</summary>
    const int Every = 4;
    public const int Annotators = 16;

    readonly Lazy<Task<FaultCampaignRun>> baseline;
    LocalCluster? cluster;
    string? adminToken;

    public ClusterFaultFixture() => baseline = new(() => Run("faultless", faults: null));

    public LocalCluster Cluster => cluster ?? throw new InvalidOperationException("The cluster is not started.");

    public Task<FaultCampaignRun> Baseline => baseline.Value;

    public async Task InitializeAsync()
    {
        cluster = await LocalCluster.Start(silos: 3, gateways: 1, TimeSpan.FromMinutes(4), restartAfter: 1);
        using var anonymous = new HttpClient { BaseAddress = cluster.Gateway };
        adminToken = await TestGatewaySettings.Token(anonymous, "admin", TestGatewaySettings.AdminPassword);
    }

    public async Task DisposeAsync()
    {
        if (cluster is not null) await cluster.DisposeAsync();
    }

    /// <summary>
    /// Runs the campaign (16 annotators, 3 rounds of up to 4 clicks, seed 1, the reference model) as
    /// <paramref name="campaignId"/> while <paramref name="faults"/> runs beside it; the faults are cancelled when the
    /// campaign ends and any failure of theirs fails the run.
    /// </summary>
    public async Task<FaultCampaignRun> Run(string campaignId, Func<CampaignTraffic, CancellationToken, Task>? faults)
    {
        var traffic = new CampaignTraffic();
        using var http = new HttpClient(traffic) { BaseAddress = new Uri(Cluster.Gateway, "/"), Timeout = TimeSpan.FromSeconds(60) };
        var davis = TestData.DavisDirectory;
        var options = CampaignOptions.Parse(
        [
            "--api", Cluster.Gateway.ToString(), "--token", adminToken!, "--images", Path.Combine(davis, "img"), "--masks", Path.Combine(davis, "gt"),
            "--every", Every.ToString(CultureInfo.InvariantCulture), "--annotators", Annotators.ToString(CultureInfo.InvariantCulture),
            "--rounds", "3", "--clicks", "4", "--seed", "1", "--model", "reference", "--campaign", campaignId, "--timeout-minutes", "8",
        ]);
        var dataset = PairedFolderDataset.Load(options.ImagesDir, options.MasksDir!, options.IgnoreValue);
        var plan = CampaignPlan.Build(DatasetSubset.EveryNth(dataset.Instances, Every), options.ImagesDir, options.Seed, options.Boxes, options.Rounds);
        var runner = new CampaignRunner(options, plan, http, new RetryPolicy(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)));

        using var stop = new CancellationTokenSource();
        using var abandon = new CancellationTokenSource();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var faulting = faults is null ? Task.CompletedTask : Task.Run(() => faults(traffic, stop.Token));
        // A failed fault (a silo that does not come back) ends the campaign too, instead of leaving it to its time limit.
        _ = faulting.ContinueWith(_ => abandon.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        CampaignResult result;
        TimeSpan wall;
        try
        {
            result = await runner.RunAsync(abandon.Token);
            wall = watch.Elapsed;
        }
        finally
        {
            // The fault ends (a stopped database is started again) before the next run or test begins.
            await stop.CancelAsync();
            try
            {
                await faulting;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The campaign ended first; the test checks how many faults happened.
            }
        }
        return new FaultCampaignRun(result, traffic, await Export(http, campaignId), wall, await Progress(http, campaignId));
    }

    /// <summary>The campaign's progress as the manager sees it (rounds waiting and leased, model work pending and failed).</summary>
    async Task<string> Progress(HttpClient http, string campaignId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/campaigns/{campaignId}/progress");
        request.Headers.Authorization = new("Bearer", adminToken);
        using var response = await http.SendAsync(request);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    /// <summary>
    /// The export per instance id: status, mask, rounds answered, and per round its number, clicks and whether it was
    /// skipped (not who answered it or how long it took).
    /// </summary>
    async Task<IReadOnlyDictionary<string, ExportedInstance>> Export(HttpClient http, string campaignId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/campaigns/{campaignId}/export?format=coco");
        request.Headers.Authorization = new("Bearer", adminToken);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"export of {campaignId}: {(int)response.StatusCode} {text}");
        var export = new SortedDictionary<string, ExportedInstance>(StringComparer.Ordinal);
        foreach (var annotation in JsonNode.Parse(text)!["annotations"]!.AsArray())
        {
            var provenance = annotation!["provenance"]!;
            var rounds = provenance["rounds"]!.AsArray();
            var described = rounds.Select(r => $"{r!["round"]}:{r["clicks"]}:{r["skipped"]}");
            export[annotation["instance_id"]!.GetValue<string>()] = new ExportedInstance(
                $"{annotation["status"]} {annotation["segmentation"]!["size"]!.ToJsonString()} {annotation["segmentation"]!["counts"]} " +
                $"answered {provenance["rounds_answered"]} [{string.Join(" ", described)}]",
                rounds.Select(r => (r!["round"]!.GetValue<int>(), r["clicks"]!.GetValue<int>())).ToArray());
        }
        return export;
    }
}
