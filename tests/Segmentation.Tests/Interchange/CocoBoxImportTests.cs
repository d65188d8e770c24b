using System.Text;
using System.Text.Json;
using Segmentation.Interchange;
using Segmentation.Masks;
using Segmentation.Tests.Datasets;

namespace Segmentation.Tests.Interchange;

public class CocoBoxImportTests
{
    private const int W = 40, H = 30;

    private static object Image(object id, string fileName, int width = W, int height = H) =>
        new { id, file_name = fileName, width, height };

    private static object Category(object id, string name) => new { id, name };

    private static Dictionary<string, object?> Annotation(object id, object imageId, object categoryId, object? bbox, object? segmentation = null)
    {
        var annotation = new Dictionary<string, object?> { ["id"] = id, ["image_id"] = imageId, ["category_id"] = categoryId };
        if (bbox is not null) annotation["bbox"] = bbox;
        if (segmentation is not null) annotation["segmentation"] = segmentation;
        return annotation;
    }

    private static byte[] Coco(object[] images, object[] categories, object[] annotations) =>
        JsonSerializer.SerializeToUtf8Bytes(new { images, categories, annotations });

    private static object UncompressedRle(BinaryMask mask) => new { counts = CocoRle.EncodeCounts(mask), size = new[] { mask.Height, mask.Width } };

    private static object CompressedRle(BinaryMask mask) => new { counts = CocoRle.Encode(mask), size = new[] { mask.Height, mask.Width } };

    [Fact]
    public void ReadsBoxesClassesAndGroundTruthFromPolygonsAndRle()
    {
        var square = new double[] { 2, 2, 12, 2, 12, 8, 2, 8 };
        var rleMask = DatasetFiles.Box(W, H, 5, 6, 15, 20);
        var compressedMask = DatasetFiles.Box(W, H, 30, 0, 40, 30);
        var json = Coco(
            [Image(1, "a.jpg"), Image("img-2", "sub/b.png", 20, 10)],
            [Category(1, "person"), Category(2, "dog")],
            [
                Annotation(10, 1, 1, new[] { 2, 3, 10, 5 }),
                Annotation("abc", "img-2", 2, new[] { 1.5, 0.5, 10, 8 }, new[] { square }),
                Annotation(12, 1, 2, new[] { -0.5, 0, 41, 30.75 }, UncompressedRle(rleMask)),
                Annotation(13, "1", "1", new[] { 30, 0, 10, 30 }, CompressedRle(compressedMask)),
                Annotation(14, 1, 1, new[] { 0, 0, 1, 1 }, Array.Empty<object>()),
            ]);

        var result = CocoBoxImport.Parse(json);

        Assert.Empty(result.Errors);
        Assert.Equal(5, result.RowsRead);
        Assert.Equal(["10", "abc", "12", "13", "14"], result.Rows.Select(r => r.InstanceId));
        Assert.Equal([1, 2, 3, 4, 5], result.Rows.Select(r => r.Row));

        var first = result.Rows[0];
        Assert.Equal(new ImportRow(1, "10", "a.jpg", W, H, "person", 2, 3, 12, 8, null), first);

        var polygonRow = result.Rows[1];
        Assert.Equal(("sub/b.png", 20, 10, "dog"), (polygonRow.ImageFile, polygonRow.ImageWidth, polygonRow.ImageHeight, polygonRow.ClassName));
        Assert.Equal(new BoxF(1.5, 0.5, 11.5, 8.5), polygonRow.Box);
        var polygonTruth = polygonRow.GroundTruth!.ToMask();
        Assert.Equal(CocoPolygon.Rasterize([square], 10, 20), polygonTruth);
        Assert.True(polygonTruth.Area() >= 50, $"area {polygonTruth.Area()}");
        Assert.True(polygonTruth[5, 5] && polygonTruth[10, 6]);
        Assert.False(polygonTruth[0, 0] || polygonTruth[15, 5] || polygonTruth[5, 9]);

        // Within the 1 px tolerance: clamped into the image.
        var clamped = result.Rows[2];
        Assert.Equal(new BoxF(0, 0, W, H), clamped.Box);
        Assert.Equal(rleMask, CocoRle.Decode(clamped.GroundTruthRle!, H, W));
        Assert.Equal(140, clamped.GroundTruth!.Area());

        Assert.Equal(CocoRle.Encode(compressedMask), result.Rows[3].GroundTruthRle);
        Assert.Equal("person", result.Rows[3].ClassName);
        Assert.Null(result.Rows[4].GroundTruthRle); // an empty segmentation list is no ground truth
    }

    [Fact]
    public void ReportsEachBadAnnotationWithRowAndFieldWhileGoodRowsComeThrough()
    {
        var good = DatasetFiles.Box(W, H, 1, 1, 5, 5);
        var images = new[]
        {
            Image(1, "a.jpg"), Image(2, "/abs/b.jpg"), Image(3, "../c.jpg"), Image(4, "./d.jpg"), Image(5, "dir\\e.jpg"),
            Image(6, "f.jpg", width: 0), Image(7, "g.jpg"), Image(7, "g-again.jpg"), Image(8, "missing.jpg"),
        };
        var json = Coco(images, [Category(1, "person")],
        [
            Annotation(1, 1, 1, new[] { 1, 1, 4, 4 }, CompressedRle(good)),           // 1 good
            Annotation(2, 1, 1, null),                                                 // 2 missing bbox
            Annotation(3, 1, 1, new object[] { 1, "x", 4, 4 }),                        // 3 non-numeric bbox
            Annotation(4, 1, 1, new[] { 1, 1, 0, 4 }),                                 // 4 zero width
            Annotation(5, 1, 1, new[] { 30, 20, 12, 4 }),                              // 5 outside by 2 px
            Annotation(6, 99, 1, new[] { 1, 1, 4, 4 }),                                // 6 unknown image
            Annotation(7, 1, 42, new[] { 1, 1, 4, 4 }),                                // 7 unknown category
            Annotation(1, 1, 1, new[] { 1, 1, 4, 4 }),                                 // 8 duplicate id
            new { id = 9, image_id = 1, category_id = 1, bbox = new[] { 1, 1, 4, 4 }, iscrowd = 1 }, // 9 crowd
            Annotation(10, 1, 1, new[] { 1, 1, 4, 4 }, new { counts = "!!", size = new[] { H, W } }),  // 10 bad RLE
            Annotation(11, 1, 1, new[] { 1, 1, 4, 4 }, UncompressedRle(new BinaryMask(10, 10))),       // 11 size mismatch
            Annotation(12, 2, 1, new[] { 1, 1, 4, 4 }),                                // 12 rooted file name
            Annotation(13, 3, 1, new[] { 1, 1, 4, 4 }),                                // 13 '..'
            Annotation(14, 4, 1, new[] { 1, 1, 4, 4 }),                                // 14 '.'
            Annotation(15, 5, 1, new[] { 1, 1, 4, 4 }),                                // 15 backslash
            Annotation(16, 6, 1, new[] { 1, 1, 4, 4 }),                                // 16 no positive width
            Annotation("a/b", 1, 1, new[] { 1, 1, 4, 4 }),                             // 17 '/' in id
            42,                                                                        // 18 not an object
            Annotation(19, 1, 77, new[] { 1, 1, -4, 4 }),                              // 19 two problems
            Annotation(20, 7, 1, new[] { 1, 1, 4, 4 }),                                // 20 image id listed twice
            Annotation(21, 8, 1, new[] { 1, 1, 4, 4 }),                                // 21 file does not exist
            Annotation(22, 1, 1, new[] { 1, 1, 4, 4 }, new[] { new double[] { 1, 2, 3, 4, 5 } }), // 22 odd polygon
            Annotation(1.5, 1, 1, new[] { 1, 1, 4, 4 }),                               // 23 fractional id
            Annotation(24, 1, 1, new[] { 0, 0, 40, 30 }),                              // 24 good, full image
        ]);
        var asked = new List<string>();

        var result = CocoBoxImport.Parse(json, file =>
        {
            asked.Add(file);
            return file != "missing.jpg";
        });

        Assert.Equal(24, result.RowsRead);
        Assert.Equal(["1", "24"], result.Rows.Select(r => r.InstanceId));
        Assert.Equal(CocoRle.Encode(good), result.Rows[0].GroundTruthRle);
        Assert.Equal(
            [
                (2, "bbox"), (3, "bbox"), (4, "bbox"), (5, "bbox"), (6, "image_id"), (7, "category_id"), (8, "id"),
                (9, "iscrowd"), (10, "segmentation"), (11, "segmentation"), (12, "file_name"), (13, "file_name"),
                (14, "file_name"), (15, "file_name"), (16, "width"), (17, "id"), (18, "annotation"),
                (19, "category_id"), (19, "bbox"), (20, "image_id"), (21, "file_name"), (22, "segmentation"), (23, "id"),
            ],
            result.Errors.Select(e => (e.Row, e.Field)));

        string Message(int row, string field) => result.Errors.Single(e => e.Row == row && e.Field == field).Message;
        Assert.Contains("no \"bbox\"", Message(2, "bbox"));
        Assert.Contains("not a finite number", Message(3, "bbox"));
        Assert.Contains("positive", Message(4, "bbox"));
        Assert.Contains("outside the 40x30 image", Message(5, "bbox"));
        Assert.Contains("99", Message(6, "image_id"));
        Assert.Contains("42", Message(7, "category_id"));
        Assert.Contains("row 1", Message(8, "id"));
        Assert.Contains("crowd", Message(9, "iscrowd"));
        Assert.Contains("malformed", Message(10, "segmentation"));
        Assert.Contains("10x10", Message(11, "segmentation"));
        Assert.Contains("absolute", Message(12, "file_name"));
        Assert.Contains("'..'", Message(13, "file_name"));
        Assert.Contains("'.'", Message(14, "file_name"));
        Assert.Contains("backslash", Message(15, "file_name"));
        Assert.Contains("'/'", Message(17, "id"));
        Assert.Contains("more than once", Message(20, "image_id"));
        Assert.Contains("does not exist", Message(21, "file_name"));
        Assert.Contains("odd number", Message(22, "segmentation"));

        // The existence check is made once per image that rows reach.
        Assert.Equal(["a.jpg", "missing.jpg"], asked.Order());
    }

    [Fact]
    public void StreamAndBytesWithOrWithoutByteOrderMarkGiveTheSameResult()
    {
        var json = Coco([Image(1, "a.jpg")], [Category(1, "cat")], [Annotation(5, 1, 1, new[] { 1, 2, 3, 4 })]);
        var fromBytes = CocoBoxImport.Parse(json);
        var fromStream = CocoBoxImport.Parse(new MemoryStream(json));
        Assert.Equal(fromBytes.Rows, fromStream.Rows);
        Assert.Equal(new ImportRow(1, "5", "a.jpg", W, H, "cat", 1, 2, 4, 6, null), Assert.Single(fromStream.Rows));

        var withBom = Encoding.UTF8.GetPreamble().Concat(json).ToArray();
        Assert.Equal(fromBytes.Rows, CocoBoxImport.Parse(withBom).Rows);
        Assert.Equal(fromBytes.Rows, CocoBoxImport.Parse(new MemoryStream(withBom)).Rows);
    }

    [Theory]
    [InlineData("{\"images\": [], \"annotations\": [", "not valid JSON at line 1")]
    [InlineData("{\n  \"images\": [],\n  \"annotations\": [1,,]\n}", "not valid JSON at line 3")]
    [InlineData("[]", "must hold a JSON object, found an array")]
    [InlineData("{\"images\": [], \"categories\": []}", "no \"annotations\" array")]
    [InlineData("{\"images\": [], \"categories\": [], \"annotations\": {}}", "\"annotations\" must be an array, found an object")]
    [InlineData("{\"categories\": [], \"annotations\": []}", "no \"images\" array")]
    [InlineData("", "not valid JSON")]
    public void StructuralProblemsThrowInvalidData(string json, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => CocoBoxImport.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void EmptyAnnotationsGiveAnEmptyResult()
    {
        var result = CocoBoxImport.Parse(Coco([Image(1, "a.jpg")], [], []));
        Assert.Empty(result.Rows);
        Assert.Empty(result.Errors);
        Assert.Equal(0, result.RowsRead);
    }
}
