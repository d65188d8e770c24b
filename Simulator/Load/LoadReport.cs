using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Simulator.Campaign;

namespace Simulator.Load;

/// <summary>The load run's levels as a console table and as JSON, with the capacity: the most people of a level within the targets.</summary>
public sealed class LoadReport(LoadOptions options, int instances, IReadOnlyList<LoadLevelResult> levels)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public LoadOptions Options => options;
    public IReadOnlyList<LoadLevelResult> Levels => levels;

    /// <summary>
    /// The most people of a level that is within the targets, as is every level with fewer people; null when the
    /// smallest level is not.
    /// </summary>
    public int? Capacity
    {
        get
        {
            int? capacity = null;
            foreach (var level in levels.OrderBy(l => l.Annotators))
            {
                if (!level.WithinTarget) break;
                capacity = level.Annotators;
            }
            return capacity;
        }
    }

    public string Table()
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"Load at human pace: {options.Campaign.Model} model, {instances} instances, {options.Seconds:F0} s per level " +
            $"(targets: preview p95 < {options.PreviewP95TargetMs:F0} ms from at least {LoadLevelResult.MinPreviews} previews, no wait for work over {options.MaxWaitTargetSeconds:F1} s, no failed or throttled call)");
        sb.AppendLine(Inv, $"{"people",6} {"tasks",6} {"next p50/p95/p99 ms",22} {"preview p50/p95/p99 ms",24} {"submit p50/p95/p99 ms",23} {"decoder p50",11} {"encoded",7} {"waits",5} {"longest",7} {"retries",7} {"cpu",5} {"all",5} {"MiB",6}  ok");
        foreach (var l in levels)
        {
            sb.AppendLine(Inv,
                $"{l.Annotators,6} {l.Tasks,6} {Triple(l.Next),22} {Triple(l.Preview),24} {Triple(l.Submit),23} {l.ServerDecoder.P50,11:F0} {l.Encoded,7} {l.Waits.Count,5} {l.LongestWaitSeconds,6:F1}s {l.Retries + l.Throttled,7} " +
                $"{(l.Server is { } s ? s.CpuCores.ToString("F2", Inv) : "-"),5} {(l.Server?.MachineCpuCores is { } all ? all.ToString("F2", Inv) : "-"),5} {(l.Server is { } m ? m.PeakResidentMiB.ToString("F0", Inv) : "-"),6}  {(l.WithinTarget ? "yes" : l.RanOutOfWork ? "no work left" : "no")}");
        }
        sb.AppendLine("(cpu: the server's processes, in cores busy; all: the whole machine, the simulator and the database included; retries: failed, timed-out or throttled calls sent again)");
        sb.Append("Capacity: ").Append(Capacity is { } c ? $"{c} people at once" : "not even the smallest level is within the targets");
        return sb.ToString();
    }

    private static string Triple(PercentileSummary p) =>
        p.Count == 0 ? "-" : string.Create(Inv, $"{p.P50:F0} / {p.P95:F0} / {p.P99:F0}");

    public string ToJsonString()
    {
        var campaign = options.Campaign;
        var root = new JsonObject
        {
            ["command"] = "load",
            ["settings"] = new JsonObject
            {
                ["model"] = campaign.Model,
                ["instances"] = instances,
                ["every"] = campaign.Every,
                ["repeat"] = options.Repeat,
                ["rounds"] = campaign.Rounds,
                ["clicks_per_round"] = campaign.ClicksPerRound,
                ["seed"] = campaign.Seed,
                ["seconds_per_level"] = options.Seconds,
                ["pace_seconds"] = new JsonObject
                {
                    ["accept"] = options.Pace.AcceptSeconds,
                    ["first_click"] = options.Pace.FirstClickSeconds,
                    ["further_click"] = options.Pace.FurtherClickSeconds,
                    ["lognormal_sigma"] = options.Pace.Spread,
                },
                ["target_preview_p95_ms"] = options.PreviewP95TargetMs,
                ["target_max_wait_seconds"] = options.MaxWaitTargetSeconds,
                ["min_previews_per_level"] = LoadLevelResult.MinPreviews,
                ["server_processes_measured"] = options.ServerProcessIds.Count,
            },
            ["capacity_people"] = Capacity,
            ["levels"] = new JsonArray(levels.Select(Level).ToArray<JsonNode?>()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonObject Level(LoadLevelResult l) => new()
    {
        ["people"] = l.Annotators,
        ["wall_seconds"] = Math.Round(l.Wall.TotalSeconds, 1),
        ["tasks"] = l.Tasks,
        ["clicks"] = l.Clicks,
        ["previews_with_encoder"] = l.Encoded,
        ["next_ms"] = Summary(l.Next),
        ["preview_ms"] = Summary(l.Preview),
        ["submit_ms"] = Summary(l.Submit),
        ["server_decoder_ms"] = Summary(l.ServerDecoder),
        ["server_queue_ms"] = Summary(l.ServerQueue),
        ["retries"] = l.Retries,
        ["throttled"] = l.Throttled,
        ["waits_ms"] = Summary(l.Waits),
        ["longest_wait_seconds"] = Math.Round(l.LongestWaitSeconds, 2),
        ["waits_over_target"] = l.WaitsOverTarget,
        ["ran_out_of_work"] = l.RanOutOfWork,
        ["server_cpu_cores"] = l.Server is { } s ? Math.Round(s.CpuCores, 3) : null,
        ["server_peak_rss_mib"] = l.Server is { } m ? Math.Round(m.PeakResidentMiB, 0) : null,
        ["simulator_cpu_cores"] = l.Server is { } c ? Math.Round(c.SimulatorCpuCores, 3) : null,
        ["machine_cpu_cores"] = l.Server?.MachineCpuCores is { } all ? Math.Round(all, 3) : null,
        ["within_target"] = l.WithinTarget,
    };

    private static JsonObject Summary(PercentileSummary p) => ReportNumbers.Percentiles(p);
}
