using System.Text.Json.Nodes;

namespace Simulator.Campaign;

/// <summary>How the campaign report writes numbers.</summary>
internal static class ReportNumbers
{
    /// <summary>Four decimals; NaN (a figure over no values) is written as null.</summary>
    public static JsonNode? Round(double v) => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 4)) : null;

    /// <summary>The mean of the known values; NaN when none is known.</summary>
    public static double Mean(IEnumerable<double?> values)
    {
        var known = values.Where(v => v is not null).Select(v => v!.Value).ToArray();
        return known.Length == 0 ? double.NaN : known.Average();
    }
}
