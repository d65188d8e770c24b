using System.Text.Json;
using Segmentation.Masks;

namespace Segmentation.Interchange;

/// <summary>
/// Turns a COCO <c>segmentation</c> value into a canonical compressed RLE string without building an image-size
/// raster: polygons are rasterised within their bounding box (<see cref="BoundedCocoPolygon"/>) and combined as run
/// lengths, RLE is checked and normalised as run lengths.
/// </summary>
/// <remarks>The result is the same as decoding the segmentation to a mask and encoding it with <see cref="CocoRle.Encode"/>.</remarks>
internal static class CocoGroundTruth
{
    /// <summary>
    /// Most outline steps (1/5 px each) the polygons of one annotation may take to rasterise: an outline of 10 million
    /// pixels, far beyond any drawn object, but a bound on the time a crafted file can cost.
    /// </summary>
    public const long MaxOutlineSteps = 50_000_000;

    /// <summary>Why the segmentation is refused, or null with its RLE string in <paramref name="rle"/>.</summary>
    public static string? Read(JsonElement value, int height, int width, ImportLimits limits, out string? rle)
    {
        rle = null;
        if ((long)height * width > uint.MaxValue) return $"the {width}x{height} image is too large for COCO masks.";
        string? problem;
        uint[]? counts;
        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                problem = ReadPolygons(value, height, width, limits, out counts);
                break;
            case JsonValueKind.Object:
                problem = ReadRle(value, height, width, limits, out counts);
                break;
            default:
                return $"segmentation must be a polygon list or an RLE object, found {JsonValues.Describe(value.ValueKind)}.";
        }
        if (problem is not null) return problem;
        if (CocoRle.Area(counts!) == 0) return "the segmentation covers no pixel of the image.";
        rle = CocoRle.EncodeString(counts!);
        return null;
    }

    private static string? ReadPolygons(JsonElement element, int height, int width, ImportLimits limits, out uint[]? counts)
    {
        counts = null;
        long points = 0;
        var p = 0;
        foreach (var polygon in element.EnumerateArray())
        {
            if (polygon.ValueKind != JsonValueKind.Array)
                return $"polygon {p} is {JsonValues.Describe(polygon.ValueKind)}, expected an array of coordinates [x1, y1, x2, y2, ...].";
            points += polygon.GetArrayLength() / 2;
            p++;
        }
        if (points > limits.MaxPolygonPoints)
            return $"the polygons have {points} points; at most {limits.MaxPolygonPoints} are accepted.";

        var polygons = new List<double[]>(p);
        long steps = 0;
        p = 0;
        foreach (var polygon in element.EnumerateArray())
        {
            var xy = new double[polygon.GetArrayLength()];
            var i = 0;
            foreach (var value in polygon.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var v) || !double.IsFinite(v))
                    return $"polygon {p} coordinate {i} is not a finite number ({value.GetRawText()}).";
                xy[i++] = v;
            }
            if (xy.Length % 2 != 0) return $"polygon {p} has an odd number of coordinates ({xy.Length}).";
            if (xy.Length < 6) return $"polygon {p} has fewer than three points ({xy.Length} coordinates).";
            if (BoundedCocoPolygon.Steps(xy) is not { } polygonSteps)
                return $"polygon {p} has a coordinate too far outside the {width}x{height} image to rasterise.";
            steps += polygonSteps;
            polygons.Add(xy);
            p++;
        }
        if (polygons.Count == 0) return "segmentation is an empty polygon list.";
        if (steps > MaxOutlineSteps)
            return $"the polygons' outline is about {steps / 5} px long; at most {MaxOutlineSteps / 5} px are rasterised.";

        var total = (long)height * width;
        foreach (var xy in polygons)
        {
            var part = BoundedCocoPolygon.Counts(xy, height, width, limits.MaxRleCounts);
            counts = part is null ? null : counts is null ? part : RleCounts.Union(counts, part, total, limits.MaxRleCounts);
            if (counts is null) return TooManyCounts(limits);
        }
        return null;
    }

    private static string? ReadRle(JsonElement element, int height, int width, ImportLimits limits, out uint[]? counts)
    {
        counts = null;
        if (!element.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Array || size.GetArrayLength() != 2
            || size[0].ValueKind != JsonValueKind.Number || !size[0].TryGetInt32(out var h)
            || size[1].ValueKind != JsonValueKind.Number || !size[1].TryGetInt32(out var w))
            return "RLE segmentation has no \"size\": [height, width].";
        if (h != height || w != width)
            return $"RLE size is {h}x{w} (h x w) but the image entry is {height}x{width} (h x w).";
        if (!element.TryGetProperty("counts", out var countsElement))
            return "RLE segmentation has no \"counts\".";

        uint[] raw;
        switch (countsElement.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    raw = CocoRle.DecodeString(countsElement.GetString()!);
                }
                catch (FormatException ex)
                {
                    return $"compressed RLE counts are malformed: {ex.Message}";
                }
                if (raw.Length > limits.MaxRleCounts) return TooManyCounts(limits, raw.Length);
                break;
            case JsonValueKind.Array:
                var length = countsElement.GetArrayLength();
                if (length > limits.MaxRleCounts) return TooManyCounts(limits, length);
                raw = new uint[length];
                var i = 0;
                foreach (var value in countsElement.EnumerateArray())
                {
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetUInt32(out var count))
                        return $"RLE count {i} is not a non-negative integer ({value.GetRawText()}).";
                    raw[i++] = count;
                }
                break;
            default:
                return $"RLE \"counts\" must be a string or an array, found {JsonValues.Describe(countsElement.ValueKind)}.";
        }
        long sum = 0;
        foreach (var count in raw) sum += count;
        var total = (long)height * width;
        if (sum != total)
            return $"RLE counts sum to {sum} pixels, expected {height}x{width} = {total}.";
        counts = RleCounts.Canonical(raw, total, limits.MaxRleCounts);
        return counts is null ? TooManyCounts(limits) : null;
    }

    private static string TooManyCounts(ImportLimits limits, long? count = null) =>
        count is { } n
            ? $"the RLE has {n} counts; at most {limits.MaxRleCounts} are accepted."
            : $"the mask needs more than {limits.MaxRleCounts} run-length counts.";
}
