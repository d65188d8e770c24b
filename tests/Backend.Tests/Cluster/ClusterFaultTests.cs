using System.Globalization;
using System.Net;
using Xunit.Abstractions;

namespace Backend.Tests.Cluster;

/// <summary>
/// The simulated campaign of <see cref="ClusterFaultFixture"/> on three silos while the cluster loses a silo (SIGKILL,
/// five times) or its database (10 s): the campaign finishes, no acknowledged answer is lost, and the export is the
/// export of the same campaign run without faults.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class ClusterFaultTests(ClusterFaultFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFaultFixture>
{
    const int Kills = 5;
    static readonly TimeSpan RestartPatience = TimeSpan.FromMinutes(2);
    static readonly TimeSpan DatabaseOutage = TimeSpan.FromSeconds(10);

    sealed record Kill(int Silo, int AfterSubmits, DateTime At, TimeSpan BackInCluster);

    [Fact]
    public async Task Five_silo_kills_mid_campaign_lose_no_acknowledged_answer_and_change_no_exported_mask()
    {
        var baseline = await fixture.Baseline;
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var submits = baseline.Traffic.Acknowledged.Count;
        // Random moments in the first 40% of the campaign: the answers given while a silo restarts push each kill later.
        var moments = Enumerable.Range(0, Kills).Select(_ => random.Next(submits / 20, submits * 4 / 10)).Order().ToArray();
        var cluster = fixture.Cluster;
        var kills = new List<Kill>();

        var run = await fixture.Run("silo-kills", async (traffic, stop) =>
        {
            foreach (var moment in moments)
            {
                while (traffic.Acknowledged.Count < moment) await Task.Delay(20, stop);
                await Task.Delay(random.Next(0, 1000), stop);
                var silo = random.Next(1, 4);
                var incarnations = (await cluster.Incarnations(cluster.SiloPort(silo))).Count;
                var at = DateTime.UtcNow;
                var afterSubmits = traffic.Acknowledged.Count;
                cluster.KillSilo(silo);
                await cluster.WaitUntilRestarted(silo, incarnations, RestartPatience);
                lock (kills) kills.Add(new Kill(silo, afterSubmits, at, DateTime.UtcNow - at));
            }
        });

        output.WriteLine($"fault seed {seed}; faultless: {Describe(baseline)}; with kills: {Describe(run)}");
        WriteDiagnostics(run);
        foreach (var kill in kills)
        {
            var nextAnswer = run.Traffic.Acknowledged.Where(a => a.At > kill.At).Select(a => a.At - kill.At).DefaultIfEmpty().Min();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"killed silo {kill.Silo} after {kill.AfterSubmits} answers: back in the cluster after {kill.BackInCluster.TotalSeconds:F1} s, next answer acknowledged after {nextAnswer.TotalSeconds:F1} s"));
        }
        Assert.True(kills.Count == Kills, $"only {kills.Count} of {Kills} kills happened before the campaign ended (seed {seed})");
        AssertEveryFailureSaysRetry(run);
        AssertSameExport(baseline, run);
        AssertEveryAcknowledgedAnswerExported(run);
        foreach (var silo in new[] { 1, 2, 3 })
            Assert.Equal("Active", (await cluster.Incarnations(cluster.SiloPort(silo)))[^1].Status);
    }

    [Fact]
    public async Task A_database_outage_mid_campaign_answers_503_with_retry_after_and_changes_no_exported_mask()
    {
        var baseline = await fixture.Baseline;
        var seed = Environment.TickCount;
        var submits = baseline.Traffic.Acknowledged.Count;
        var moment = new Random(seed).Next(submits / 5, submits / 2);
        var cluster = fixture.Cluster;
        DateTime? stopped = null, resumed = null;

        var run = await fixture.Run("database-outage", async (traffic, stop) =>
        {
            while (traffic.Acknowledged.Count < moment) await Task.Delay(20, stop);
            stopped = DateTime.UtcNow;
            await cluster.StopPostgres();
            await Task.Delay(DatabaseOutage, CancellationToken.None);
            await cluster.ResumePostgres();
            resumed = DateTime.UtcNow;
        });

        output.WriteLine($"fault seed {seed}; faultless: {Describe(baseline)}; with the outage: {Describe(run)}");
        WriteDiagnostics(run);
        Assert.True(resumed is not null, $"the campaign ended before the outage (seed {seed})");
        var during = run.Traffic.Failures.Where(f => f.At >= stopped && f.At <= resumed!.Value.AddSeconds(5)).ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"outage {stopped:HH:mm:ss.f}-{resumed:HH:mm:ss.f}: {during.Length} 5xx answers during it, " +
            $"{run.Traffic.Failures.Count} in all ({string.Join(", ", run.Traffic.Failures.GroupBy(f => f.Path.Split('/')[^1]).Select(g => $"{g.Key} {g.Count()}"))}), " +
            $"{run.Traffic.Unanswered} calls without an answer"));
        Assert.NotEmpty(during);
        AssertEveryFailureSaysRetry(run);
        AssertSameExport(baseline, run);
        AssertEveryAcknowledgedAnswerExported(run);
    }

    /// <summary>The progress at the end and the logs' errors, shown with a failure so that its cause can be read.</summary>
    void WriteDiagnostics(FaultCampaignRun run)
    {
        output.WriteLine($"progress at the end: {run.Progress}");
        output.WriteLine($"errors in the logs:\n{fixture.Cluster.Errors()}");
    }

    static string Describe(FaultCampaignRun run)
    {
        var retries = run.Result.Measurements.Counters().Where(c => c.Key.StartsWith("retries.", StringComparison.Ordinal)).Sum(c => c.Value);
        return string.Create(CultureInfo.InvariantCulture,
            $"{run.Export.Count} instances, {run.Traffic.Acknowledged.Count} answers acknowledged in {run.Wall.TotalSeconds:F0} s, " +
            $"{run.Traffic.Failures.Count} 5xx, {run.Traffic.Unanswered} unanswered, {retries} retries");
    }

    /// <summary>
    /// Every call was answered (the gateway's call timeout comes before the client's), and every 5xx was a 503 with
    /// Retry-After: a lost silo or database is an outage to wait out, not a server error.
    /// </summary>
    static void AssertEveryFailureSaysRetry(FaultCampaignRun run)
    {
        Assert.True(run.Traffic.Unanswered == 0, $"{run.Traffic.Unanswered} calls got no answer within the client's 60 s");
        Assert.All(run.Traffic.Failures, f =>
        {
            Assert.True(f.Status == HttpStatusCode.ServiceUnavailable, $"{(int)f.Status} for {f.Path}");
            Assert.True(f.RetryAfter, $"503 without Retry-After for {f.Path}");
        });
    }

    static void AssertSameExport(FaultCampaignRun expected, FaultCampaignRun actual)
    {
        var different = expected.Comparable.Keys.Union(actual.Comparable.Keys)
            .Where(id => expected.Comparable.GetValueOrDefault(id) != actual.Comparable.GetValueOrDefault(id))
            .ToArray();
        Assert.True(different.Length == 0,
            $"{different.Length} instances exported differently, e.g. {string.Join("; ", different.Take(3).Select(id => $"{id}: {Short(expected.Comparable.GetValueOrDefault(id))} / {Short(actual.Comparable.GetValueOrDefault(id))}"))}");
        Assert.All(actual.Export.Values, e => Assert.StartsWith("done ", e.Comparable));
    }

    /// <summary>
    /// Every answer the cluster acknowledged is a round of its instance in the export, with the same clicks, and no task
    /// was handed out again once its answer was acknowledged (the simulator would answer it again with the same clicks,
    /// which would hide a lost answer from the export).
    /// </summary>
    static void AssertEveryAcknowledgedAnswerExported(FaultCampaignRun run)
    {
        var acknowledgedAt = run.Traffic.Acknowledged.GroupBy(a => (a.InstanceId, a.Round)).ToDictionary(g => g.Key, g => g.Min(a => a.At));
        var again = run.Traffic.HandedOut.Where(t => acknowledgedAt.TryGetValue((t.InstanceId, t.Round), out var at) && t.At > at).ToArray();
        Assert.True(again.Length == 0, $"{again.Length} tasks were handed out again after their answer was acknowledged, e.g. {string.Join("; ", again.Take(3))}");
        Assert.Equal(run.Traffic.Acknowledged.Select(a => (a.InstanceId, a.Round)).Distinct().Count(), run.Export.Values.Sum(e => e.Rounds.Count));
        var missing = run.Traffic.Acknowledged
            .Where(a => !run.Export.TryGetValue(a.InstanceId, out var exported) || !exported.Rounds.Contains((a.Round, a.ClickCount)))
            .ToArray();
        Assert.True(missing.Length == 0,
            $"{missing.Length} acknowledged answers are not in the export, e.g. {string.Join("; ", missing.Take(3))}");
    }

    static string Short(string? text) => text is null ? "(none)" : text.Length > 160 ? text[..160] + "..." : text;
}
