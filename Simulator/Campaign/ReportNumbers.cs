using System.Globalization;
using System.Text.Json.Nodes;
using Segmentation.Ranking;

namespace Simulator.Campaign;

/// <summary>How the campaign report writes numbers.</summary>
internal static class ReportNumbers
{
    /// <summary>Four decimals; NaN (a figure over no values) is written as null.</summary>
    public static JsonNode? Round(double v) => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 4)) : null;

    /// <summary>A latency series as {"p50", "p95", "p99", "count"}.</summary>
    public static JsonObject Percentiles(PercentileSummary s) => new()
    {
        ["p50"] = Round(s.P50),
        ["p95"] = Round(s.P95),
        ["p99"] = Round(s.P99),
        ["count"] = s.Count,
    };

    /// <summary>A top-N% curve as {"10": mIoU, "20": ..., "100": ...}.</summary>
    public static JsonObject Curve(IEnumerable<TopPercentPoint> curve) =>
        new(curve.Select(p => KeyValuePair.Create(p.Percent.ToString(CultureInfo.InvariantCulture), Round(p.MeanTrueIoU))));

    /// <summary>The mean of the known values; NaN when none is known.</summary>
    public static double Mean(IEnumerable<double?> values)
    {
        var known = values.Where(v => v is not null).Select(v => v!.Value).ToArray();
        return known.Length == 0 ? double.NaN : known.Average();
    }
}
