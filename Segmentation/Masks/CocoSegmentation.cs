using Segmentation.Interchange;
using System.Text.Json;

namespace Segmentation.Masks;

/// <summary>
/// A checked COCO <c>segmentation</c> value: a polygon list, or an RLE object (compressed or uncompressed counts)
/// covering exactly the image's size. Parsing reports the problem as text instead of throwing, so readers can
/// attach it to the annotation it belongs to.
/// </summary>
public abstract class CocoSegmentation
{
    public abstract BinaryMask ToMask(int height, int width);

    public abstract bool IsEmpty(int height, int width);

    public static string? TryParse(JsonElement element, int height, int width, out CocoSegmentation? segmentation)
    {
        segmentation = null;
        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                return Polygons.TryRead(element, height, width, out segmentation);
            case JsonValueKind.Object:
                return Rle.TryRead(element, height, width, out segmentation);
            default:
                return $"segmentation must be a polygon list or an RLE object, found {JsonValues.Describe(element.ValueKind)}.";
        }
    }

    private sealed class Polygons(double[][] polygons) : CocoSegmentation
    {
        public override BinaryMask ToMask(int height, int width) => CocoPolygon.Rasterize(polygons, height, width);

        public override bool IsEmpty(int height, int width) =>
            polygons.All(p => CocoRle.Area(CocoPolygon.PolygonCounts(p, height, width)) == 0);

        public static string? TryRead(JsonElement element, int height, int width, out CocoSegmentation? segmentation)
        {
            segmentation = null;
            if ((long)height * width > uint.MaxValue) return $"image size {width}x{height} is too large for COCO masks.";
            var polygons = new List<double[]>();
            var p = 0;
            foreach (var polygon in element.EnumerateArray())
            {
                if (polygon.ValueKind != JsonValueKind.Array)
                    return $"polygon {p} is {JsonValues.Describe(polygon.ValueKind)}, expected an array of coordinates [x1, y1, x2, y2, ...].";
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
                polygons.Add(xy);
                p++;
            }
            if (polygons.Count == 0) return "segmentation is an empty polygon list.";
            segmentation = new Polygons(polygons.ToArray());
            return null;
        }
    }

    private sealed class Rle(uint[] counts) : CocoSegmentation
    {
        public override BinaryMask ToMask(int height, int width) => CocoRle.DecodeCounts(counts, height, width);

        public override bool IsEmpty(int height, int width) => CocoRle.Area(counts) == 0;

        public static string? TryRead(JsonElement element, int height, int width, out CocoSegmentation? segmentation)
        {
            segmentation = null;
            if (!element.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Array || size.GetArrayLength() != 2
                || size[0].ValueKind != JsonValueKind.Number || !size[0].TryGetInt32(out var h)
                || size[1].ValueKind != JsonValueKind.Number || !size[1].TryGetInt32(out var w))
                return "RLE segmentation has no \"size\": [height, width].";
            if (h != height || w != width)
                return $"RLE size is {h}x{w} (h x w) but the image entry is {height}x{width} (h x w).";
            if (!element.TryGetProperty("counts", out var countsElement))
                return "RLE segmentation has no \"counts\".";

            uint[] counts;
            switch (countsElement.ValueKind)
            {
                case JsonValueKind.String:
                    try
                    {
                        counts = CocoRle.DecodeString(countsElement.GetString()!);
                    }
                    catch (FormatException ex)
                    {
                        return $"compressed RLE counts are malformed: {ex.Message}";
                    }
                    break;
                case JsonValueKind.Array:
                    counts = new uint[countsElement.GetArrayLength()];
                    var i = 0;
                    foreach (var value in countsElement.EnumerateArray())
                    {
                        if (value.ValueKind != JsonValueKind.Number || !value.TryGetUInt32(out var count))
                            return $"RLE count {i} is not a non-negative integer ({value.GetRawText()}).";
                        counts[i++] = count;
                    }
                    break;
                default:
                    return $"RLE \"counts\" must be a string or an array, found {JsonValues.Describe(countsElement.ValueKind)}.";
            }
            long sum = 0;
            foreach (var count in counts) sum += count;
            if (sum != (long)height * width)
                return $"RLE counts sum to {sum} pixels, expected {height}x{width} = {(long)height * width}.";
            segmentation = new Rle(counts);
            return null;
        }
    }
}
