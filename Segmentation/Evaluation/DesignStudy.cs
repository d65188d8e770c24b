using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Segmentation.Simulation;

namespace Segmentation.Evaluation;

/// <summary>
/// The paper's section 3.2 with our model, on the rounds protocol: region against boundary clicks, click noise,
/// the smallest error region that gets a click, and the clicks-per-round schedules of its figure 4. Every variant
/// changes one thing from the baseline (3 rounds of up to 3 clicks, region clicks, 3 px noise, 10 px regions).
/// </summary>
public static class DesignStudy
{
    public const string ClickType = "click-type";
    public const string ClickNoise = "click-noise";
    public const string MinRegion = "min-region";
    public const string Schedule = "schedule";

    public static IReadOnlyList<string> Studies { get; } = [ClickType, ClickNoise, MinRegion, Schedule];

    /// <summary>Rounds x clicks per round, as in figure 4.</summary>
    public static IReadOnlyList<(int Rounds, int Clicks)> Schedules { get; } = [(1, 9), (3, 3), (4, 2), (5, 2), (2, 5), (4, 3)];

    public static IReadOnlyList<StudyVariant> Variants(ProtocolSettings baseline)
    {
        var b = baseline with
        {
            Kind = ProtocolKind.Rounds,
            Rounds = 3,
            ClicksPerRound = 3,
            Clicks = baseline.Clicks with { Strategy = ClickStrategy.Center, NoiseSigmaPx = 3, MinRegionArea = 100, MinRegionThicknessPx = 10 },
        };
        var variants = new List<StudyVariant>
        {
            new(ClickType, "region (centre)", b),
            new(ClickType, "boundary", b with { Clicks = b.Clicks with { Strategy = ClickStrategy.Boundary } }),
        };
        foreach (var noise in new[] { 0, 3, 6 })
            variants.Add(new(ClickNoise, $"{noise} px", b with { Clicks = b.Clicks with { NoiseSigmaPx = noise } }));
        foreach (var side in new[] { 10, 20, 30 })
            variants.Add(new(MinRegion, $"{side} px", b with { Clicks = b.Clicks with { MinRegionArea = side * side, MinRegionThicknessPx = side } }));
        foreach (var (rounds, clicks) in Schedules)
            variants.Add(new(Schedule, $"{rounds}x{clicks}", b with { Rounds = rounds, ClicksPerRound = clicks }));
        return variants;
    }

    /// <summary>The distinct protocol settings among the variants, in first-seen order (shared baselines run once).</summary>
    public static IReadOnlyList<ProtocolSettings> DistinctSettings(IReadOnlyList<StudyVariant> variants) =>
        variants.Select(v => v.Settings).Distinct().ToArray();

    /// <summary>Markdown tables, one per study.</summary>
    public static string Tables(IReadOnlyList<StudyOutcome> outcomes)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        foreach (var study in Studies)
        {
            var rows = outcomes.Where(o => o.Study == study).ToArray();
            if (rows.Length == 0) continue;
            sb.AppendLine(inv, $"### {study}").AppendLine();
            var maxRounds = rows.Max(o => o.MeanIoU.Count - 1);
            var header = string.Join(" | ", Enumerable.Range(1, maxRounds).Select(r => $"round {r}"));
            sb.AppendLine(inv, $"| setting | clicks used | mIoU after M_b | {header} | boundary F (last) | losing >5 pts |");
            sb.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", 5 + maxRounds)));
            foreach (var o in rows)
            {
                var cells = Enumerable.Range(1, maxRounds).Select(i => i < o.MeanIoU.Count ? o.MeanIoU[i].ToString("F4", inv) : "");
                sb.AppendLine(inv,
                    $"| {o.Label} | {o.MeanClicks[^1]:F2} | {o.MeanIoU[0]:F4} | {string.Join(" | ", cells)} | {o.MeanBoundaryF[^1]:F4} | {o.LosingOver5Points} |");
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>One plot per study: mIoU against the mean clicks used so far, one curve per setting.</summary>
    public static IEnumerable<(string Study, string Svg)> Figures(IReadOnlyList<StudyOutcome> outcomes, string modelName, int instances)
    {
        foreach (var study in Studies)
        {
            var rows = outcomes.Where(o => o.Study == study).ToArray();
            if (rows.Length == 0) continue;
            var series = rows.Select(o => new PlotSeries(o.Label, o.MeanClicks.Zip(o.MeanIoU, (x, y) => (x, y)).ToArray())).ToArray();
            yield return (study, SeriesPlot.Svg($"{study}: {modelName}, rounds protocol, {instances} objects", "mean clicks so far", "mean IoU", series));
        }
    }

    public static JsonArray Json(IReadOnlyList<StudyOutcome> outcomes) =>
        new(outcomes.Select(o => (JsonNode)new JsonObject
        {
            ["study"] = o.Study,
            ["label"] = o.Label,
            ["rounds"] = o.Settings.Rounds,
            ["clicks_per_round"] = o.Settings.ClicksPerRound,
            ["click_strategy"] = o.Settings.Clicks.Strategy.ToString().ToLowerInvariant(),
            ["click_noise_sigma_px"] = o.Settings.Clicks.NoiseSigmaPx,
            ["min_click_region_px"] = o.Settings.Clicks.MinRegionThicknessPx,
            ["miou_per_round"] = Numbers(o.MeanIoU),
            ["boundary_f_per_round"] = Numbers(o.MeanBoundaryF),
            ["mean_clicks_per_round"] = Numbers(o.MeanClicks),
            ["instances_losing_over_5_points"] = o.LosingOver5Points,
        }).ToArray());

    /// <summary>Outcomes read back from <see cref="Json"/>, matched to the variants by study and label.</summary>
    public static IReadOnlyList<StudyOutcome> FromJson(JsonArray runs, IReadOnlyList<StudyVariant> variants)
    {
        var outcomes = new List<StudyOutcome>();
        foreach (var run in runs)
        {
            if (run is null) throw new InvalidDataException("A study run is null.");
            var study = (string?)run["study"] ?? throw new InvalidDataException("A study run has no 'study'.");
            var label = (string?)run["label"] ?? throw new InvalidDataException("A study run has no 'label'.");
            var variant = variants.FirstOrDefault(v => v.Study == study && v.Label == label)
                ?? throw new InvalidDataException($"Unknown study run '{study}' / '{label}'.");
            outcomes.Add(new StudyOutcome(variant, Doubles(run["miou_per_round"]), Doubles(run["boundary_f_per_round"]),
                Doubles(run["mean_clicks_per_round"]), (int?)run["instances_losing_over_5_points"] ?? 0));
        }
        return outcomes;

        static double[] Doubles(JsonNode? node) =>
            node is JsonArray array && array.Count > 0
                ? array.Select(v => (double?)v ?? throw new InvalidDataException("A study figure is not a number.")).ToArray()
                : throw new InvalidDataException("A study run lacks its figures per round.");
    }

    private static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)Math.Round(v, 4)).ToArray());
}
