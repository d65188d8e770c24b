using System.Text.Json;
using Segmentation.Evaluation.Datasets;
using Segmentation.Masks;

namespace Segmentation.Tests.Datasets;

public class CocoDatasetTests
{
    private const int W = 37, H = 23;

    private static readonly double[] Square = [2, 2, 20, 2, 20, 15, 2, 15];
    private static readonly double[] Triangle = [24, 16, 34, 16, 29, 22];

    private static object Image(int id, string fileName, int width = W, int height = H) =>
        new { id, file_name = fileName, width, height };

    private static object Annotation(int id, int imageId, object? segmentation, int iscrowd = 0, int categoryId = 1) =>
        new { id, image_id = imageId, category_id = categoryId, bbox = new[] { 0, 0, 1, 1 }, segmentation, iscrowd, area = 1 };

    private static object UncompressedRle(BinaryMask mask) => new { counts = CocoRle.EncodeCounts(mask), size = new[] { mask.Height, mask.Width } };

    private static object CompressedRle(BinaryMask mask) => new { counts = CocoRle.Encode(mask), size = new[] { mask.Height, mask.Width } };

    private static string WriteJson(string folder, object content)
    {
        var path = Path.Combine(folder, "instances.json");
        File.WriteAllText(path, JsonSerializer.Serialize(content));
        return path;
    }

    [Fact]
    public void ReadsPolygonsRleAndCrowdsAndReportsBadAnnotations()
    {
        using var temp = new TempFolder();
        var images = temp.Folder("images");
        DatasetFiles.RgbPng(Path.Combine(images, "a.png"), W, H);
        DatasetFiles.GreyJpeg(Path.Combine(images, "b.jpg"), W, H);
        Directory.CreateDirectory(Path.Combine(images, "sub"));
        DatasetFiles.RgbPng(Path.Combine(images, "sub", "e.png"), W, H);
        DatasetFiles.RgbPng(Path.Combine(images, "d.png"), 20, 10); // listed as 37x23

        var rleBox = DatasetFiles.Box(W, H, 25, 3, 33, 12);
        var bMask = DatasetFiles.Box(W, H, 0, 20, 37, 23);
        var crowd = DatasetFiles.Box(W, H, 10, 0, 37, 5);
        var json = WriteJson(temp.Path, new
        {
            images = new object[]
            {
                Image(1, "a.png"), Image(2, "b.jpg"), Image(3, "c.png"), Image(4, "d.png"), new { id = 5, width = W, height = H },
                Image(6, "sub/e.png"), Image(1, "again.png"),
            },
            categories = new object[] { new { id = 1, name = "person" }, new { id = 2, name = "dog" } },
            annotations = new object[]
            {
                Annotation(10, 1, new[] { Square, Triangle }),
                Annotation(11, 1, CompressedRle(rleBox), categoryId: 2),
                Annotation(12, 2, UncompressedRle(bMask), categoryId: 7),
                Annotation(13, 1, UncompressedRle(crowd), iscrowd: 1),
                Annotation(14, 1, new[] { new double[] { 1, 2, 3, 4, 5, 6, 7 } }),            // odd polygon
                Annotation(15, 99, new[] { Square }),                                          // unknown image
                Annotation(16, 1, UncompressedRle(new BinaryMask(10, 10))),                   // size mismatch
                Annotation(17, 3, new[] { Square }),                                           // missing file
                Annotation(18, 1, new { counts = "!!", size = new[] { H, W } }),              // bad compressed RLE
                Annotation(19, 5, new[] { Square }),                                           // invalid image entry
                Annotation(20, 4, new[] { Square }),                                           // file of another size
                Annotation(10, 2, new[] { Square }),                                           // duplicate id
                Annotation(22, 1, null),                                                       // no segmentation
                Annotation(23, 1, new { counts = new[] { 5, 5 }, size = new[] { H, W } }),    // counts too short
                Annotation(24, 1, new[] { new double[] { 50, 50, 60, 50, 60, 60 } }),         // outside the image
                Annotation(25, 6, CompressedRle(bMask)),
                Annotation(26, 2, new[] { new object[] { 1, 2, "x", 4, 5, 6 } }),              // not numbers
            },
        });

        var dataset = CocoDataset.Load(json, images);

        Assert.Equal(["a#10", "a#11", "b#12", "d#20", "sub/e#25"], dataset.Instances.Select(i => i.Id));
        Assert.Equal(
            ["image 5", "image 1", "annotation 14", "annotation 15", "annotation 16", "annotation 17", "annotation 18",
             "annotation 19", "annotation 10", "annotation 22", "annotation 23", "annotation 24", "annotation 26"],
            dataset.Problems.Select(p => p.Item));
        string Message(string item) => dataset.Problems.Single(p => p.Item == item).Message;
        Assert.Contains("duplicate", Message("image 1"));
        Assert.Contains("odd number", Message("annotation 14"));
        Assert.Contains("99", Message("annotation 15"));
        Assert.Contains("10x10", Message("annotation 16"));
        Assert.Contains("c.png", Message("annotation 17"));
        Assert.Contains("not found", Message("annotation 17"));
        Assert.Contains("malformed", Message("annotation 18"));
        Assert.Contains("invalid", Message("annotation 19"));
        Assert.Contains("duplicate", Message("annotation 10"));
        Assert.Contains("no segmentation", Message("annotation 22"));
        Assert.Contains("sum", Message("annotation 23"));
        Assert.Contains("no pixels", Message("annotation 24"));
        Assert.Contains("not a finite number", Message("annotation 26"));

        var byId = dataset.Instances.ToDictionary(i => i.Id);
        Assert.Equal("person", byId["a#10"].Category);
        Assert.Equal("dog", byId["a#11"].Category);
        Assert.Null(byId["b#12"].Category); // category 7 is not listed
        Assert.Equal(Path.Combine(images, "sub/e.png"), byId["sub/e#25"].ImagePath);

        // Polygons are united; the crowd region, minus the instance itself, is ignored.
        var polygons = byId["a#10"].Load();
        var expectedPolygons = CocoPolygon.Rasterize([Square, Triangle], H, W);
        Assert.Equal(expectedPolygons, polygons.Truth.Mask);
        Assert.True(CocoPolygon.Rasterize(Square, H, W).Area() > 0);
        Assert.True(CocoPolygon.Rasterize(Triangle, H, W).Area() > 0);
        Assert.Equal(crowd.AndNot(expectedPolygons), polygons.Truth.Ignore);
        Assert.False(crowd.And(expectedPolygons).IsEmpty); // the subtraction matters in this case

        var rle = byId["a#11"].LoadTruth();
        Assert.Equal(rleBox, rle.Mask);
        Assert.Equal(crowd.AndNot(rleBox), rle.Ignore);

        var uncompressed = byId["b#12"].Load();
        Assert.Equal(bMask, uncompressed.Truth.Mask);
        Assert.Null(uncompressed.Truth.Ignore); // no crowd on image 2
        Assert.Equal(bMask, byId["sub/e#25"].LoadTruth().Mask);

        var ex = Assert.Throws<DatasetItemException>(() => byId["d#20"].Load());
        Assert.Equal("d#20", ex.Item);
        Assert.Contains("d.png", ex.Message);
        Assert.Contains("annotation 20", ex.Message);
        Assert.Contains("20x10", ex.Message);
        Assert.Contains("37x23", ex.Message);
    }

    [Fact]
    public void BooleanCrowdFlagAndMissingCategoriesAreAccepted()
    {
        using var temp = new TempFolder();
        var images = temp.Folder("images");
        DatasetFiles.RgbPng(Path.Combine(images, "a.png"), W, H);
        var json = WriteJson(temp.Path, new
        {
            images = new[] { Image(1, "a.png") },
            annotations = new object[]
            {
                new { id = 1, image_id = 1, segmentation = new[] { Square }, iscrowd = false },
                new { id = 2, image_id = 1, segmentation = UncompressedRle(DatasetFiles.Box(W, H, 0, 0, 1, 1)), iscrowd = true },
            },
        });

        var dataset = CocoDataset.Load(json, images);

        Assert.Empty(dataset.Problems);
        var instance = Assert.Single(dataset.Instances);
        Assert.Equal("a#1", instance.Id);
        Assert.Null(instance.Category);
        Assert.Equal(DatasetFiles.Box(W, H, 0, 0, 1, 1), instance.LoadTruth().Ignore);
    }

    [Fact]
    public void UnreadableJsonNamesFileAndPosition()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "broken.json");
        File.WriteAllText(path, "{\n  \"images\": [\n    {\"id\": 1,, }\n  ]\n}\n");

        var ex = Assert.Throws<InvalidDataException>(() => CocoDataset.Load(path, temp.Path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("line 3", ex.Message);
        Assert.DoesNotContain("LineNumber", ex.Message);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"images\": []}")]
    [InlineData("{\"images\": {}, \"annotations\": []}")]
    [InlineData("{\"images\": [], \"annotations\": [], \"categories\": 3}")]
    public void FileThatIsNotCocoThrows(string content)
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "x.json");
        File.WriteAllText(path, content);

        var ex = Assert.Throws<InvalidDataException>(() => CocoDataset.Load(path, temp.Path));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void MissingFileOrFolderThrows()
    {
        using var temp = new TempFolder();
        var json = WriteJson(temp.Path, new { images = Array.Empty<object>(), annotations = Array.Empty<object>() });
        Assert.Throws<FileNotFoundException>(() => CocoDataset.Load(Path.Combine(temp.Path, "none.json"), temp.Path));
        Assert.Throws<DirectoryNotFoundException>(() => CocoDataset.Load(json, Path.Combine(temp.Path, "none")));
        var empty = CocoDataset.Load(json, temp.Path);
        Assert.Empty(empty.Instances);
        Assert.Empty(empty.Problems);
    }
}
