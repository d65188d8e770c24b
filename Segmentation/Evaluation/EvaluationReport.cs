using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmentation.Evaluation.Datasets;
using Segmentation.Models;

namespace Segmentation.Evaluation;

/// <summary>Aggregate figures of an evaluation run, and its JSON form.</summary>
public sealed class EvaluationReport
{
    public EvaluationReport(string modelName, ProtocolSettings settings, IReadOnlyList<InstanceResult> instances, IReadOnlyList<DatasetProblem> problems, TimeSpan elapsed)
    {
        ModelName = modelName;
        Settings = settings;
        Instances = instances;
        Problems = problems;
        Elapsed = elapsed;
        var steps = instances.Count == 0 ? 0 : instances.Min(r => r.IoU.Count);
        MeanIoUPerStep = Enumerable.Range(0, steps).Select(s => instances.Average(r => r.IoU[s])).ToArray();
        MeanBoundaryFPerStep = Enumerable.Range(0, steps).Select(s => instances.Average(r => r.BoundaryF[s])).ToArray();
        MeanCumulativeClicksPerStep = Enumerable.Range(0, steps)
            .Select(s => instances.Average(r => (double)r.ClicksPerStep.Take(s + 1).Sum())).ToArray();

        var calls = instances.SelectMany(r => r.Calls).ToArray();
        EncoderMsMedian = Median(calls.Where(c => c.EncoderMs > 0).Select(c => c.EncoderMs));
        EncoderPreprocessMsMedian = Median(calls.Where(c => c.EncoderMs > 0).Select(c => c.EncoderPreprocessMs));
        DecoderMsMedian = Median(calls.Select(c => c.DecoderMs));
        OverheadMsMedian = Median(calls.Select(c => c.OverheadMs));
        ModelCalls = calls.Length;
        DecoderMsPerRunMedian = Median(calls.Select(c => c.DecoderMs / Math.Max(1, c.DecoderRuns)));
        DecoderRunsPerCall = calls.Length == 0 ? 0 : calls.Average(c => (double)c.DecoderRuns);

        SizeThirds = SizeThird.Split(instances, settings);
        LosingOver5Points = instances.Count(r => r.LargestStepLoss() > 0.05);
        MasksDisagreeingWithClicks = instances.Sum(r => r.ClickViolations.Count(v => v > 0));
        MasksScored = instances.Sum(r => r.ClickViolations.Count);

        if (settings.Kind == ProtocolKind.Noc && instances.Count > 0)
        {
            Noc85 = instances.Average(r => r.ClicksToReach(0.85, settings.MaxNocClicks));
            Noc90 = instances.Average(r => r.ClicksToReach(0.90, settings.MaxNocClicks));
            Nof90 = instances.Count(r => !r.Reached(0.90));
        }
    }

    public string ModelName { get; }
    public ProtocolSettings Settings { get; }
    public IReadOnlyList<InstanceResult> Instances { get; }
    public IReadOnlyList<DatasetProblem> Problems { get; }
    /// <summary>Wall time of this setting alone; run with other settings on the same images, what the model caches per image is counted where first computed (<see cref="EvaluationRunner.RunAll"/>).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Rounds: after M_b, then after each round. NoC: after each click.</summary>
    public IReadOnlyList<double> MeanIoUPerStep { get; }
    public IReadOnlyList<double> MeanBoundaryFPerStep { get; }
    public IReadOnlyList<double> MeanCumulativeClicksPerStep { get; }
    /// <summary>Thirds by object area relative to the image.</summary>
    public IReadOnlyList<SizeThird> SizeThirds { get; }

    /// <summary>Instances whose IoU drops by more than 5 points from one step to the next.</summary>
    public int LosingOver5Points { get; }

    /// <summary>Steps whose mask disagrees with at least one click given so far, of all steps.</summary>
    public int MasksDisagreeingWithClicks { get; }
    public int MasksScored { get; }
    public double? Noc85 { get; }
    public double? Noc90 { get; }
    public int? Nof90 { get; }
    public double EncoderMsMedian { get; }
    public double EncoderPreprocessMsMedian { get; }
    public double DecoderMsMedian { get; }
    public double OverheadMsMedian { get; }
    public int ModelCalls { get; }
    public double DecoderMsPerRunMedian { get; }
    public double DecoderRunsPerCall { get; }
    public double OverheadFractionOfDecoder => DecoderMsMedian > 0 ? OverheadMsMedian / DecoderMsMedian : double.NaN;

    public JsonObject ToJson()
    {
        var s = Settings;
        return new JsonObject
        {
            ["summary"] = new JsonObject
            {
                ["protocol"] = s.Kind.ToString().ToLowerInvariant(),
                ["model"] = ModelName,
                ["instances"] = Instances.Count,
                ["skipped"] = Problems.Count,
                ["miou_per_round"] = Numbers(MeanIoUPerStep),
                ["boundary_f_per_round"] = Numbers(MeanBoundaryFPerStep),
                ["mean_clicks_per_round"] = Numbers(MeanCumulativeClicksPerStep),
                ["noc85"] = Noc85 is { } n85 ? Round(n85) : null,
                ["noc90"] = Noc90 is { } n90 ? Round(n90) : null,
                ["nof90"] = Nof90,
                ["instances_losing_over_5_points"] = LosingOver5Points,
                ["masks_disagreeing_with_clicks"] = MasksDisagreeingWithClicks,
                ["masks_scored"] = MasksScored,
                ["judged_picks_per_call"] = JudgedPicksJson(),
                ["elapsed_s"] = Round(Elapsed.TotalSeconds),
            },
            ["size_thirds"] = new JsonArray(SizeThirds.Select(t => (JsonNode)new JsonObject
            {
                ["name"] = t.Name,
                ["instances"] = t.Instances,
                ["min_area_fraction"] = Round(t.MinAreaFraction),
                ["max_area_fraction"] = Round(t.MaxAreaFraction),
                ["miou_per_round"] = Numbers(t.MeanIoUPerStep),
                ["noc90"] = t.Noc90 is { } n ? Round(n) : null,
                ["nof90"] = t.Nof90,
                ["instances_losing_over_5_points"] = t.LosingOver5Points,
            }).ToArray()),
            ["timing"] = new JsonObject
            {
                ["encoder_ms_median"] = Round(EncoderMsMedian),
                ["encoder_preprocess_ms_median"] = Round(EncoderPreprocessMsMedian),
                ["decoder_ms_median"] = Round(DecoderMsMedian),
                ["overhead_ms_median"] = Round(OverheadMsMedian),
                ["overhead_fraction_of_decoder"] = Round(OverheadFractionOfDecoder),
                ["model_calls"] = ModelCalls,
                ["decoder_runs_per_call"] = Round(DecoderRunsPerCall),
                ["decoder_ms_per_run_median"] = Round(DecoderMsPerRunMedian),
            },
            ["settings"] = new JsonObject
            {
                ["rounds"] = s.Rounds,
                ["clicks_per_round"] = s.ClicksPerRound,
                ["max_noc_clicks"] = s.MaxNocClicks,
                ["seed"] = s.Seed,
                ["boundary_tolerance_px"] = s.BoundaryTolerancePx,
                ["min_click_region_area"] = s.Clicks.MinRegionArea,
                ["min_click_region_thickness_px"] = s.Clicks.MinRegionThicknessPx,
                ["click_noise_sigma_px"] = s.Clicks.NoiseSigmaPx,
                ["click_strategy"] = s.Clicks.Strategy.ToString().ToLowerInvariant(),
                ["box_sigma_fraction"] = s.Boxes.SigmaFraction,
                ["box_min_iou"] = s.Boxes.MinIoU,
                ["judged_choice"] = s.JudgedChoice is { } judged ? judged.ToString().ToLowerInvariant() : null,
            },
            ["problems"] = new JsonArray(Problems.Select(p => (JsonNode)new JsonObject { ["item"] = p.Item, ["message"] = p.Message }).ToArray()),
            ["instances"] = new JsonArray(Instances.Select(InstanceJson).ToArray()),
        };
    }

    public string ToJsonString() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>A plain-text summary table.</summary>
    public string SummaryTable()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"model {ModelName}, protocol {Settings.Kind.ToString().ToLowerInvariant()}, {Instances.Count} instances, {Problems.Count} skipped, {Elapsed.TotalSeconds:F0} s");
        var stepName = Settings.Kind == ProtocolKind.Rounds ? "round" : "click";
        sb.AppendLine(inv, $"{stepName,-8} {"clicks",8} {"mIoU",8} {"BF@" + Settings.BoundaryTolerancePx.ToString(inv) + "px",8}");
        for (var i = 0; i < MeanIoUPerStep.Count; i++)
        {
            var label = Settings.Kind == ProtocolKind.Rounds ? (i == 0 ? "box" : i.ToString(inv)) : (i + 1).ToString(inv);
            sb.AppendLine(inv, $"{label,-8} {MeanCumulativeClicksPerStep[i],8:F2} {MeanIoUPerStep[i],8:F4} {MeanBoundaryFPerStep[i],8:F4}");
        }
        if (Settings.JudgedChoice == JudgedChoice.Observe)
            sb.AppendLine("the model's own answers; the ground truth scored every answer it could give (observe)");
        else if (Settings.JudgedChoice is { } choice)
            sb.AppendLine(inv, $"a yardstick, not a measurement: the ground truth chose every mask ({choice.ToString().ToLowerInvariant()})");
        if (Noc85 is not null)
            sb.AppendLine(inv, $"NoC@85 {Noc85:F2}   NoC@90 {Noc90:F2}   NoF@90 {Nof90}");
        sb.AppendLine(inv, $"instances losing over 5 points in a step: {LosingOver5Points}; masks disagreeing with a click: {MasksDisagreeingWithClicks} of {MasksScored}");
        foreach (var t in SizeThirds)
        {
            // Rounds: every round; NoC: clicks 1-3 and the last.
            var shown = Settings.Kind == ProtocolKind.Rounds
                ? t.MeanIoUPerStep
                : t.MeanIoUPerStep.Take(3).Append(t.MeanIoUPerStep[^1]).ToArray();
            sb.Append(inv, $"{t.Name,-7} {t.Instances,4} objects, area {t.MinAreaFraction:P1}-{t.MaxAreaFraction:P1}: mIoU {string.Join(" ", shown.Select(v => v.ToString("F4", inv)))}, losing >5 pts {t.LosingOver5Points}");
            sb.AppendLine(t.Noc90 is { } n ? string.Create(inv, $", NoC@90 {n:F2}, NoF@90 {t.Nof90}") : "");
        }
        sb.AppendLine(inv, $"median ms per encoding: encoder {EncoderMsMedian:F1}, its input preparation {EncoderPreprocessMsMedian:F1}");
        sb.AppendLine(inv, $"median ms per call: decoder {DecoderMsMedian:F2}, own pre/post-processing {OverheadMsMedian:F2} ({OverheadFractionOfDecoder:P1} of decoder), {ModelCalls} calls; {DecoderRunsPerCall:F2} decoder runs per call, {DecoderMsPerRunMedian:F2} ms per run");
        return sb.ToString();
    }

    private JsonNode InstanceJson(InstanceResult r)
    {
        var node = new JsonObject
        {
            ["id"] = r.Id,
            ["iou"] = Numbers(r.IoU),
            ["boundary_f"] = Numbers(r.BoundaryF),
            ["clicks"] = new JsonArray(r.ClicksPerStep.Select(c => (JsonNode?)c).ToArray()),
            ["click_violations"] = new JsonArray(r.ClickViolations.Select(c => (JsonNode?)c).ToArray()),
            ["area_fraction"] = Round(r.ObjectAreaFraction),
        };
        if (r.Box is { } b)
            node["box"] = new JsonArray(Round(b.X0), Round(b.Y0), Round(b.X1), Round(b.Y1));
        if (r.Quality.Count > 0)
            node["quality"] = new JsonArray(r.Quality.Select(q => (JsonNode)new JsonObject
            {
                ["round"] = q.Example.Features.Round,
                ["clicks"] = q.Example.Features.ClicksInRound,
                ["mask_change_iou"] = Round(q.Example.Features.MaskChangeIoU),
                ["max_click_distance"] = Round(q.Example.Features.MaxClickDistance),
                ["mean_click_distance"] = Round(q.Example.Features.MeanClickDistance),
                ["model_score"] = q.Example.Features.ModelScore is { } score ? Round(score) : null,
                ["previous_mask_area"] = q.PreviousMaskArea,
                ["mask_area"] = q.MaskArea,
                ["true_iou"] = Round(q.Example.TrueIoU),
            }).ToArray());
        if (Settings.Kind == ProtocolKind.Noc)
        {
            node["noc85"] = r.ClicksToReach(0.85, Settings.MaxNocClicks);
            node["noc90"] = r.ClicksToReach(0.90, Settings.MaxNocClicks);
        }
        return node;
    }

    /// <summary>With a judged choice: per model call (0: the first), how often the judge chose each answer; null without one.</summary>
    private JsonArray? JudgedPicksJson()
    {
        var calls = Instances.Select(r => r.JudgedPicks.Count).DefaultIfEmpty(0).Max();
        if (calls == 0) return null;
        return new JsonArray(Enumerable.Range(0, calls).Select(k =>
        {
            var counts = new JsonObject();
            foreach (var group in Instances.Where(r => r.JudgedPicks.Count > k).GroupBy(r => r.JudgedPicks[k]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
                counts[group.Key] = group.Count();
            return (JsonNode)counts;
        }).ToArray());
    }

    private static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)Round(v)).ToArray());

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 4) : 0;

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return 0;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
