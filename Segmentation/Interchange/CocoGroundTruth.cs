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
            if (CocoSegmentationJson.NotAnArray(polygon, p) is { } problem) return problem;
            points += polygon.GetArrayLength() / 2;
            p++;
        }
        if (points > limits.MaxPolygonPoints)
            return $"the polygons have {points} points; at most {limits.MaxPolygonPoints} are accepted.";

        var polygons = new List<double[]>(p);
        long steps = 0;
        foreach (var polygon in element.EnumerateArray())
        {
            if (CocoSegmentationJson.TryReadPolygon(polygon, polygons.Count, out var xy) is { } problem) return problem;
            if (BoundedCocoPolygon.Steps(xy) is not { } polygonSteps)
                return $"polygon {polygons.Count} has a coordinate too far outside the {width}x{height} image to rasterise.";
            steps += polygonSteps;
            polygons.Add(xy!);
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
        if (CocoSegmentationJson.TryReadRle(element, height, width, limits.MaxRleCounts, out var read) is { } problem) return problem;
        counts = RleCounts.Canonical(read!, (long)height * width, limits.MaxRleCounts);
        return counts is null ? TooManyCounts(limits) : null;
    }

    private static string TooManyCounts(ImportLimits limits) => $"the mask needs more than {limits.MaxRleCounts} run-length counts.";
}
