using System.Text.Json.Nodes;
using Segmentation.Tests;
using Simulator.Load;

namespace Backend.Tests;

/// <summary>The simulator's load command against a real gateway process with the reference model: two short levels.</summary>
[Collection(Cluster.ClusterProcesses.Name)]
public sealed class LoadCommandTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("annotation-load-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Two_levels_of_people_at_a_quick_pace_report_latencies_waits_server_usage_and_a_capacity()
    {
        using var gateway = await GatewayProcess.Start(Path.Combine(folder, "data"), GatewayProcess.FreePort(), GatewayProcess.FreePort(),
            GatewayProcess.FreePort(), TimeSpan.FromSeconds(90));
        using var anonymous = new HttpClient { BaseAddress = gateway.Address };
        var token = await TestGatewaySettings.Token(anonymous, "admin", TestGatewaySettings.AdminPassword);
        var output = Path.Combine(folder, "load.json");

        var code = LoadCommand.Run(
        [
            "--api", gateway.Address.ToString(), "--token", token, "--images", Path.Combine(TestData.DavisDirectory, "img"),
            "--masks", Path.Combine(TestData.DavisDirectory, "gt"), "--every", "20", "--model", "reference", "--campaign", "load-test",
            "--annotators", "1,3", "--seconds", "6", "--think-accept", "0.3", "--think-first-click", "0.5", "--think-further-click", "0.2",
            "--server-pids", gateway.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", output, "--timeout-minutes", "5",
        ]);

        Assert.Equal(0, code);
        var report = JsonNode.Parse(await File.ReadAllTextAsync(output))!;
        var levels = report["levels"]!.AsArray();
        Assert.Equal([1, 3], levels.Select(l => l!["people"]!.GetValue<int>()));
        foreach (var level in levels)
        {
            Assert.True(level!["tasks"]!.GetValue<int>() > 0, level.ToJsonString());
            Assert.True(level["preview_ms"]!["count"]!.GetValue<int>() > 0, level.ToJsonString());
            Assert.True(level["next_ms"]!["p95"]!.GetValue<double>() > 0, level.ToJsonString());
            Assert.True(level["server_cpu_cores"]!.GetValue<double>() > 0, level.ToJsonString());
            Assert.True(level["server_peak_rss_mib"]!.GetValue<double>() > 50, level.ToJsonString());
            Assert.Equal(0, level["retries"]!.GetValue<int>());
        }
        // The capacity is the most people of a level within the targets, as is every smaller level, as the levels say.
        var passing = levels.TakeWhile(l => l!["within_target"]!.GetValue<bool>()).Select(l => l!["people"]!.GetValue<int>()).ToArray();
        Assert.Equal(passing.Length == 0 ? null : passing.Max(), report["capacity_people"]?.GetValue<int>());
        Assert.All(levels, l => Assert.Equal(
            l!["preview_ms"]!["count"]!.GetValue<int>() >= 20 && l["preview_ms"]!["p95"]!.GetValue<double>() < 300
                && l["longest_wait_seconds"]!.GetValue<double>() <= 1 && !l["ran_out_of_work"]!.GetValue<bool>(),
            l["within_target"]!.GetValue<bool>()));
        Assert.True(levels[1]!["machine_cpu_cores"]!.GetValue<double>() >= levels[1]!["server_cpu_cores"]!.GetValue<double>() * 0.9);
        var plot = await File.ReadAllTextAsync(Path.ChangeExtension(output, ".svg"));
        Assert.StartsWith("<svg", plot);
        Assert.Contains("preview p95", plot);
        // No machine path in the result.
        Assert.DoesNotContain(TestData.DavisDirectory, await File.ReadAllTextAsync(output));
    }
}
