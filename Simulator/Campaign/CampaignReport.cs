using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Simulator.Campaign;

/// <summary>The JSON result and the summary table of a simulated campaign.</summary>
public sealed class CampaignReport
{
    /// <summary>The HTTP calls whose client-side wall time is summarised.</summary>
    public static readonly IReadOnlyList<string> TimedCalls = ["next", "submit", "preview", "progress"];

    /// <param name="result">The (first) campaign's regular rounds.</param>
    /// <param name="ranking">The quality model's ranking of that campaign's masks, when it trained one.</param>
    /// <param name="budget">The extra-click budget spent per strategy, when there was one.</param>
    public CampaignReport(CampaignResult result, RankingSummary? ranking = null, BudgetSummary? budget = null,
        IReadOnlyList<AnnotatorQualityDto>? quality = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        Result = result;
        Ranking = ranking;
        Quality = quality;
        Budget = budget;
        var rounds = result.Options.Rounds;
        MeanIoUPerRound = Enumerable.Range(0, rounds + 1).Select(r => Mean(result.Instances.Select(i => i.IoUPerRound[r]))).ToArray();
        MeanCumulativeClicksPerRound = Enumerable.Range(0, rounds + 1)
            .Select(r => result.Instances.Count == 0 ? 0 : result.Instances.Average(i => (double)i.ClicksPerRound.Take(r + 1).Sum())).ToArray();
        ExportMeanIoU = Mean(result.Instances.Select(i => i.ExportIoU));
        ExportMeanBoundaryF = Mean(result.Instances.Select(i => i.ExportBoundaryF));
        Exported = result.Instances.Count(i => i.ExportIoU is not null);
        TotalClicks = result.Instances.Sum(i => i.ClicksPerRound.Sum());
        SubmitsPerSecond = result.Wall.TotalSeconds > 0 ? result.Submits / result.Wall.TotalSeconds : 0;
        Latency = TimedCalls.ToDictionary(c => c, result.Measurements.Summary, StringComparer.Ordinal);
        ServerDecoderMs = result.Measurements.Summary("server.decoder");
        WarmPreviewMs = result.Measurements.Summary("preview.warm");
        WarmDecoderMs = result.Measurements.Summary("server.decoder.warm");
        WarmPreviewOverheadMs = result.Measurements.Summary("preview.warm.overhead");
        WarmPreviewParts = WarmPreviewPartNames.ToDictionary(p => p, p => result.Measurements.Summary("preview.warm." + p), StringComparer.Ordinal);
    }

    private static readonly string[] WarmPreviewPartNames = ["queue", "inference_other", "silo_and_gateway", "outside_server"];

    /// <summary>
    /// Per warm preview, where the time besides the decoder went: queued for a model slot, the inference grain's other
    /// work, the silo's grain calls and the gateway, and outside the server (HTTP and the client).
    /// </summary>
    public IReadOnlyDictionary<string, PercentileSummary> WarmPreviewParts { get; }

    /// <summary>Client latency of previews the server answered without encoding or rebuilding state.</summary>
    public PercentileSummary WarmPreviewMs { get; }

    /// <summary>The server's decoder time within those warm previews.</summary>
    public PercentileSummary WarmDecoderMs { get; }

    /// <summary>Per warm preview, client latency minus the server's decoder time.</summary>
    public PercentileSummary WarmPreviewOverheadMs { get; }

    public CampaignResult Result { get; }
    public RankingSummary? Ranking { get; }

    /// <summary>The server's annotator quality table, when it was read.</summary>
    public IReadOnlyList<AnnotatorQualityDto>? Quality { get; }
    public BudgetSummary? Budget { get; }

    /// <summary>After round 0 (M_b) and after rounds 1..R, over the instances with a known mask.</summary>
    public IReadOnlyList<double> MeanIoUPerRound { get; }
    public IReadOnlyList<double> MeanCumulativeClicksPerRound { get; }
    public double ExportMeanIoU { get; }
    public double ExportMeanBoundaryF { get; }
    public int Exported { get; }
    public int TotalClicks { get; }
    public double SubmitsPerSecond { get; }
    public IReadOnlyDictionary<string, PercentileSummary> Latency { get; }
    public PercentileSummary ServerDecoderMs { get; }

    public JsonObject ToJson()
    {
        var r = Result;
        var o = r.Options;
        var latency = new JsonObject();
        foreach (var (name, summary) in Latency) latency[name] = PercentilesJson(summary);
        var retries = new JsonObject();
        foreach (var (name, count) in r.Measurements.Counters().Where(c => c.Key.StartsWith("retries.", StringComparison.Ordinal)).OrderBy(c => c.Key, StringComparer.Ordinal))
            retries[name["retries.".Length..]] = count;
        var json = new JsonObject
        {
            ["summary"] = new JsonObject
            {
                ["campaign"] = o.CampaignId,
                ["model"] = o.Model,
                ["instances"] = r.Instances.Count,
                ["annotators"] = o.Annotators,
                ["rounds"] = o.Rounds,
                ["clicks_per_round"] = o.ClicksPerRound,
                ["seed"] = o.Seed,
                ["miou_per_round"] = Numbers(MeanIoUPerRound),
                ["mean_clicks_per_round"] = Numbers(MeanCumulativeClicksPerRound),
                ["export_miou"] = Round(ExportMeanIoU),
                ["export_boundary_f"] = Round(ExportMeanBoundaryF),
                ["exported"] = Exported,
                ["total_clicks"] = TotalClicks,
                ["submits"] = r.Submits,
                ["skips"] = r.FinalProgress.Skipped,
                ["done"] = r.FinalProgress.Done,
                ["dataset_problems"] = r.Problems.Count,
            },
            ["latency_ms"] = latency,
            ["server_decoder_ms"] = PercentilesJson(ServerDecoderMs),
            ["warm_preview"] = new JsonObject
            {
                ["latency_ms"] = PercentilesJson(WarmPreviewMs),
                ["server_decoder_ms"] = PercentilesJson(WarmDecoderMs),
                ["latency_minus_decoder_ms"] = PercentilesJson(WarmPreviewOverheadMs),
                ["median_gap_ms"] = WarmPreviewMs.Count == 0 ? null : Round(WarmPreviewMs.P50 - WarmDecoderMs.P50),
                ["parts_ms"] = new JsonObject(WarmPreviewParts.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)PercentilesJson(p.Value)))),
            },
            ["retries"] = retries,
            ["throughput"] = new JsonObject { ["submits_per_s"] = Round(SubmitsPerSecond) },
            ["wall_seconds"] = Round(r.Wall.TotalSeconds),
            ["settings"] = new JsonObject
            {
                ["api"] = o.Api.AbsoluteUri,
                ["campaign"] = o.CampaignId,
                ["images"] = o.ImagesDir,
                ["masks"] = o.MasksDir,
                ["coco"] = o.CocoFile,
                ["ignore_value"] = o.IgnoreValue,
                ["every"] = o.Every,
                ["model"] = o.Model,
                ["shards"] = o.Shards,
                ["annotators"] = o.Annotators,
                ["careless"] = o.Careless,
                ["rounds"] = o.Rounds,
                ["clicks_per_round"] = o.ClicksPerRound,
                ["seed"] = o.Seed,
                ["preview"] = o.Preview,
                ["timeout_minutes"] = o.TimeoutMinutes,
                ["boundary_tolerance_px"] = o.BoundaryTolerancePx,
                ["min_click_region_area"] = o.Clicks.MinRegionArea,
                ["min_click_region_thickness_px"] = o.Clicks.MinRegionThicknessPx,
                ["click_noise_sigma_px"] = o.Clicks.NoiseSigmaPx,
                ["click_strategy"] = o.Clicks.Strategy.ToString().ToLowerInvariant(),
                ["box_sigma_fraction"] = o.Boxes.SigmaFraction,
                ["box_min_iou"] = o.Boxes.MinIoU,
                ["gt_fraction"] = o.GroundTruthFraction,
                ["reprioritize_below"] = o.ReprioritizeBelowIoU,
                ["extra_clicks"] = o.ExtraClicks,
                ["budget_strategies"] = o.ExtraClicks > 0 ? new JsonArray(o.BudgetStrategies.Select(b => (JsonNode?)b.Name()).ToArray()) : null,
                ["extra_rounds_per_instance"] = o.ExtraClicks > 0 ? o.ExtraRoundsPerInstance : null,
            },
            ["problems"] = new JsonArray(r.Problems.Select(p => (JsonNode)new JsonObject { ["item"] = p.Item, ["message"] = p.Message }).ToArray()),
            ["instances"] = new JsonArray(r.Instances.Select(InstanceJson).ToArray()),
        };
        if (Ranking is not null) json["ranking"] = Ranking.ToJson();
        if (o.Careless > 0 || o.ReferenceFraction > 0 || Quality is not null)
        {
            var quality = new JsonObject
            {
                ["careless_annotators"] = new JsonArray(o.CarelessAnnotatorIds.Select(id => (JsonNode?)id).ToArray()),
            };
            if (o.ReferenceFraction > 0)
            {
                var ious = r.PaintingIoUs ?? [];
                quality["reference_fraction"] = o.ReferenceFraction;
                quality["double_painting_fraction"] = o.DoublePaintingFraction;
                quality["painters"] = new JsonArray(o.PainterIds.Select(id => (JsonNode?)id).ToArray());
                quality["painting_noise_px"] = o.PaintingNoisePx;
                quality["paintings"] = ious.Count;
                quality["painting_skips"] = r.PaintingSkips;
                quality["painting_mean_iou_with_truth"] = ious.Count > 0 ? Round(ious.Average()) : null;
                quality["gold_rate"] = o.GoldRate;
            }
            if (Quality is not null)
            {
                quality["flagged_annotators"] = new JsonArray(Quality.Where(q => q.Flagged).Select(q => (JsonNode?)q.AnnotatorId).ToArray());
                quality["annotators"] = new JsonArray(Quality.Select(q => (JsonNode?)new JsonObject
                {
                    ["id"] = q.AnnotatorId,
                    ["answers"] = q.Answers,
                    ["judged_clicks"] = q.JudgedClicks,
                    ["right_polarity_share"] = q.RightPolarityShare is { } s ? Round(s) : null,
                    ["first_clicks_judged"] = q.FirstClicksJudged,
                    ["first_click_correcting_share"] = q.FirstClickCorrectingShare is { } f ? Round(f) : null,
                    ["rounds_with_gain"] = q.RoundsWithGain,
                    ["iou_gain_per_click"] = q.IouGainPerClick is { } g ? Round(g) : null,
                    ["gold_answers"] = q.GoldAnswers,
                    ["gold_skips"] = q.GoldSkips,
                    ["gold_iou_gain_per_click"] = q.GoldIouGainPerClick is { } gg ? Round(gg) : null,
                    ["predicted_iou_gain_per_click"] = q.PredictedIouGainPerClick is { } pg ? Round(pg) : null,
                    ["accepted_with_reference"] = q.AcceptedWithReference,
                    ["accepted_bad_share"] = q.AcceptedBadShare is { } b ? Round(b) : null,
                    ["seconds_per_answer"] = q.SecondsPerAnswer is { } t ? Round(t) : null,
                    ["flagged"] = q.Flagged,
                }).ToArray());
            }
            json["quality"] = quality;
        }
        if (Budget is not null) json["budget"] = Budget.ToJson();
        return json;
    }

    public string ToJsonString() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public string SummaryTable()
    {
        var r = Result;
        var o = r.Options;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"campaign {o.CampaignId}, model {o.Model}, {r.Instances.Count} instances, {o.Annotators} annotators, {o.Rounds} rounds of up to {o.ClicksPerRound} clicks, {r.Wall.TotalSeconds:F1} s");
        sb.AppendLine(inv, $"{"round",-8} {"clicks",8} {"mIoU",8}");
        for (var i = 0; i < MeanIoUPerRound.Count; i++)
            sb.AppendLine(inv, $"{(i == 0 ? "box" : i.ToString(inv)),-8} {MeanCumulativeClicksPerRound[i],8:F2} {MeanIoUPerRound[i],8:F4}");
        sb.AppendLine(inv, $"export: {Exported} masks, mIoU {ExportMeanIoU:F4}, BF@{o.BoundaryTolerancePx.ToString(inv)}px {ExportMeanBoundaryF:F4}; {TotalClicks} clicks, {r.Submits} submits, {r.FinalProgress.Skipped} skipped");
        sb.AppendLine(inv, $"{"ms",-16} {"p50",8} {"p95",8} {"p99",8} {"count",7}");
        foreach (var (name, s) in Latency)
            sb.AppendLine(inv, $"{name,-16} {s.P50,8:F1} {s.P95,8:F1} {s.P99,8:F1} {s.Count,7}");
        var d = ServerDecoderMs;
        sb.AppendLine(inv, $"{"server decoder",-16} {d.P50,8:F1} {d.P95,8:F1} {d.P99,8:F1} {d.Count,7}");
        foreach (var (name, w) in new[] { ("warm preview", WarmPreviewMs), ("  its decoder", WarmDecoderMs), ("  difference", WarmPreviewOverheadMs) })
            sb.AppendLine(inv, $"{name,-16} {w.P50,8:F1} {w.P95,8:F1} {w.P99,8:F1} {w.Count,7}");
        foreach (var (name, w) in WarmPreviewParts)
            sb.AppendLine(inv, $"{"    " + name.Replace('_', ' '),-16} {w.P50,8:F1} {w.P95,8:F1} {w.P99,8:F1} {w.Count,7}");
        sb.AppendLine(inv, $"throughput {SubmitsPerSecond:F2} submits/s");
        Ranking?.AppendTable(sb);
        Budget?.AppendTable(sb);
        return sb.ToString();
    }

    private JsonNode InstanceJson(CampaignInstanceResult i)
    {
        var box = i.Instance.Box;
        return new JsonObject
        {
            ["id"] = i.Instance.InstanceId,
            ["name"] = i.Instance.Name,
            ["file_name"] = i.Instance.FileName,
            ["box"] = new JsonArray(Round(box.X0), Round(box.Y0), Round(box.X1), Round(box.Y1)),
            ["iou"] = new JsonArray(i.IoUPerRound.Select(v => v is { } x ? Round(x) : null).ToArray()),
            ["clicks"] = new JsonArray(i.ClicksPerRound.Select(c => (JsonNode?)c).ToArray()),
            ["export_iou"] = i.ExportIoU is { } e ? Round(e) : null,
            ["export_boundary_f"] = i.ExportBoundaryF is { } f ? Round(f) : null,
            ["export_status"] = i.ExportStatus,
        };
    }

    private static JsonObject PercentilesJson(PercentileSummary s) => ReportNumbers.Percentiles(s);

    private static double Mean(IEnumerable<double?> values) => ReportNumbers.Mean(values);

    private static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(Round).ToArray());

    private static JsonNode? Round(double v) => ReportNumbers.Round(v);
}
