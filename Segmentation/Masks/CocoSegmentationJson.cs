using Segmentation.Interchange;
using System.Text.Json;

namespace Segmentation.Masks;

/// <summary>
/// Reads the parts of a COCO <c>segmentation</c> value (one polygon, an RLE object) from JSON, reporting the problem
/// as text; shared by the dataset reader (<see cref="CocoSegmentation"/>) and the import (<see cref="CocoGroundTruth"/>).
/// </summary>
internal static class CocoSegmentationJson
{
    /// <summary>
    /// Why polygon number <paramref name="index"/> is refused, or null with its coordinates in <paramref name="xy"/>:
    /// an even number, at least six, all finite.
    /// </summary>
    public static string? TryReadPolygon(JsonElement polygon, int index, out double[]? xy)
    {
        xy = null;
        if (NotAnArray(polygon, index) is { } problem) return problem;
        var coordinates = new double[polygon.GetArrayLength()];
        var i = 0;
        foreach (var value in polygon.EnumerateArray())
        {
            if (!JsonValues.TryGetFinite(value, out var v))
                return $"polygon {index} coordinate {i} is not a finite number ({value.GetRawText()}).";
            coordinates[i++] = v;
        }
        if (coordinates.Length % 2 != 0) return $"polygon {index} has an odd number of coordinates ({coordinates.Length}).";
        if (coordinates.Length < 6) return $"polygon {index} has fewer than three points ({coordinates.Length} coordinates).";
        xy = coordinates;
        return null;
    }

    /// <summary>Why polygon number <paramref name="index"/> is not an array of coordinates, or null when it is an array.</summary>
    public static string? NotAnArray(JsonElement polygon, int index) =>
        polygon.ValueKind == JsonValueKind.Array
            ? null
            : $"polygon {index} is {JsonValues.Describe(polygon.ValueKind)}, expected an array of coordinates [x1, y1, x2, y2, ...].";

    /// <summary>
    /// Why the RLE object <c>{"size": [h, w], "counts": ...}</c> is refused, or null with its counts, as written, in
    /// <paramref name="counts"/>. It must be of the image's size, its counts a compressed string or an array of
    /// non-negative integers summing to height x width, and, when <paramref name="maxCounts"/> is given, no more than
    /// that many.
    /// </summary>
    public static string? TryReadRle(JsonElement element, int height, int width, int? maxCounts, out uint[]? counts)
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

        uint[] read;
        switch (countsElement.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    read = CocoRle.DecodeString(countsElement.GetString()!);
                }
                catch (FormatException ex)
                {
                    return $"compressed RLE counts are malformed: {ex.Message}";
                }
                if (read.Length > maxCounts) return TooManyCounts(read.Length, maxCounts);
                break;
            case JsonValueKind.Array:
                var length = countsElement.GetArrayLength();
                // Checked before reading, so that a long array costs no memory.
                if (length > maxCounts) return TooManyCounts(length, maxCounts);
                read = new uint[length];
                var i = 0;
                foreach (var value in countsElement.EnumerateArray())
                {
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetUInt32(out var count))
                        return $"RLE count {i} is not a non-negative integer ({value.GetRawText()}).";
                    read[i++] = count;
                }
                break;
            default:
                return $"RLE \"counts\" must be a string or an array, found {JsonValues.Describe(countsElement.ValueKind)}.";
        }
        long sum = 0;
        foreach (var count in read) sum += count;
        var total = (long)height * width;
        if (sum != total)
            return $"RLE counts sum to {sum} pixels, expected {height}x{width} = {total}.";
        counts = read;
        return null;
    }

    private static string TooManyCounts(int count, int? maxCounts) => $"the RLE has {count} counts; at most {maxCounts} are accepted.";
}
