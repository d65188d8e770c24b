using System.Text.Json;
using Segmentation.Interchange;
using Segmentation.Masks;

namespace Segmentation.Tests;

public class CocoSegmentationJsonTests
{
    private const int H = 23, W = 37;

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    private static object Rle(object counts) => new { size = new[] { H, W }, counts };

    /// <summary>Run lengths of 41 counts covering the image: 20 runs of 10 zeros and 5 ones, then the rest as zeros.</summary>
    private static uint[] FortyOneCounts() => [.. Enumerable.Repeat(new uint[] { 10, 5 }, 20).SelectMany(c => c), (uint)(H * W - 300)];

    [Fact]
    public void RleReaderEnforcesTheCountsLimitOnlyWhenGiven()
    {
        var counts = FortyOneCounts();
        foreach (var value in new[] { Json(Rle(counts)), Json(Rle(CocoRle.EncodeString(counts))) })
        {
            Assert.Equal("the RLE has 41 counts; at most 40 are accepted.", CocoSegmentationJson.TryReadRle(value, H, W, 40, out var refused));
            Assert.Null(refused);
            Assert.Null(CocoSegmentationJson.TryReadRle(value, H, W, 41, out var atTheLimit));
            Assert.Equal(counts, atTheLimit);
            Assert.Null(CocoSegmentationJson.TryReadRle(value, H, W, null, out var unlimited));
            Assert.Equal(counts, unlimited);

            // The import passes its limit to the reader; the dataset reader has none.
            Assert.Equal("the RLE has 41 counts; at most 40 are accepted.",
                CocoGroundTruth.Read(value, H, W, new ImportLimits { MaxRleCounts = 40 }, out _));
            Assert.Null(CocoSegmentation.TryParse(value, H, W, out _));
        }

        // The limit is checked before the counts are read.
        Assert.Equal("the RLE has 3 counts; at most 2 are accepted.", CocoSegmentationJson.TryReadRle(Json(Rle(new object[] { 1, "x", 2 })), H, W, 2, out _));
    }

    /// <summary>Polygon lists and RLE objects (canonical or not, compressed or not), all valid for an H x W image.</summary>
    private static IEnumerable<JsonElement> ValidSegmentations()
    {
        var random = new Random(11);
        for (var n = 0; n < 200; n++)
        {
            var polygons = new double[random.Next(1, 4)][];
            for (var p = 0; p < polygons.Length; p++)
            {
                polygons[p] = new double[2 * random.Next(3, 9)];
                for (var i = 0; i < polygons[p].Length; i += 2)
                {
                    polygons[p][i] = random.NextDouble() * 1.4 * W - 0.2 * W;
                    polygons[p][i + 1] = random.NextDouble() * 1.4 * H - 0.2 * H;
                }
            }
            yield return Json(polygons);
        }
        for (var n = 0; n < 100; n++)
        {
            var density = random.Next(1, 6);
            var mask = BinaryMask.FromPredicate(W, H, (_, _) => random.Next(density) == 0);
            var counts = CocoRle.EncodeCounts(mask).ToList();
            yield return Json(Rle(counts));
            yield return Json(Rle(CocoRle.EncodeString(counts)));
            counts.InsertRange(random.Next(1, counts.Count + 1), [0u, 0u]); // not canonical
            yield return Json(Rle(counts));
        }
        yield return Json(Rle(new[] { H * W })); // empty
    }

    [Fact]
    public void DatasetReaderAndImportGiveTheSameRle()
    {
        var compared = 0;
        foreach (var value in ValidSegmentations())
        {
            Assert.Null(CocoSegmentation.TryParse(value, H, W, out var segmentation));
            var problem = CocoGroundTruth.Read(value, H, W, ImportLimits.Default, out var rle);
            if (segmentation!.IsEmpty(H, W))
            {
                Assert.Equal("the segmentation covers no pixel of the image.", problem);
                continue;
            }
            Assert.Null(problem);
            Assert.Equal(CocoRle.Encode(segmentation.ToMask(H, W)), rle);
            compared++;
        }
        Assert.True(compared > 350, $"only {compared} segmentations covered a pixel");
    }

    [Theory]
    [InlineData("[]", "segmentation is an empty polygon list.")]
    [InlineData("[5]", "polygon 0 is a number, expected an array of coordinates [x1, y1, x2, y2, ...].")]
    [InlineData("[[1, 2, 3, 4, 5, 6], [1, 2, \"3\", 4, 5, 6]]", "polygon 1 coordinate 2 is not a finite number (\"3\").")]
    [InlineData("[[1, 2, 3, 4, 5, 6, 7]]", "polygon 0 has an odd number of coordinates (7).")]
    [InlineData("[[1, 2, 3, 4]]", "polygon 0 has fewer than three points (4 coordinates).")]
    [InlineData("{\"counts\": [851]}", "RLE segmentation has no \"size\": [height, width].")]
    [InlineData("{\"size\": [37, 23], \"counts\": [851]}", "RLE size is 37x23 (h x w) but the image entry is 23x37 (h x w).")]
    [InlineData("{\"size\": [23, 37]}", "RLE segmentation has no \"counts\".")]
    [InlineData("{\"size\": [23, 37], \"counts\": {}}", "RLE \"counts\" must be a string or an array, found an object.")]
    [InlineData("{\"size\": [23, 37], \"counts\": [850, -1]}", "RLE count 1 is not a non-negative integer (-1).")]
    [InlineData("{\"size\": [23, 37], \"counts\": [850]}", "RLE counts sum to 850 pixels, expected 23x37 = 851.")]
    [InlineData("true", "segmentation must be a polygon list or an RLE object, found a boolean.")]
    public void DatasetReaderAndImportRefuseWithTheSameText(string json, string expected)
    {
        var value = Json(json);
        Assert.Equal(expected, CocoSegmentation.TryParse(value, H, W, out _));
        Assert.Equal(expected, CocoGroundTruth.Read(value, H, W, ImportLimits.Default, out _));
    }

    [Fact]
    public void MalformedCompressedCountsAreRefusedAlikeByBoth()
    {
        var value = Json(Rle("\u007f"));
        var problem = CocoSegmentation.TryParse(value, H, W, out _);
        Assert.StartsWith("compressed RLE counts are malformed: ", problem);
        Assert.Equal(problem, CocoGroundTruth.Read(value, H, W, ImportLimits.Default, out _));
    }
}
