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
            foreach (var polygon in element.EnumerateArray())
            {
                if (CocoSegmentationJson.TryReadPolygon(polygon, polygons.Count, out var xy) is { } problem) return problem;
                polygons.Add(xy!);
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
            var problem = CocoSegmentationJson.TryReadRle(element, height, width, maxCounts: null, out var counts);
            segmentation = problem is null ? new Rle(counts!) : null;
            return problem;
        }
    }
}
