using System.Text;
using System.Text.Json;
using Segmentation.Interchange;
using Segmentation.Masks;
using Segmentation.Tests.Datasets;

namespace Segmentation.Tests.Interchange;

public class StreamingCocoImportTests
{
    private static MemoryStream Utf8(string json) => new(Encoding.UTF8.GetBytes(json));

    private static List<ImportRecord> ReadAll(string json, Func<string, ResolvedImage?>? resolve = null, ImportLimits? limits = null) =>
        CocoBoxImport.Read(Utf8(json), resolve, limits ?? ImportLimits.Default).ToList();

    [Fact]
    public void CategoriesAfterAnnotationsAsInRealCocoFiles()
    {
        // pycocotools writes images, annotations, categories in that order.
        var json = """
            {"info": {"year": 2017, "nested": [1, {"a": [2]}]},
             "images": [{"id": 1, "file_name": "a.jpg", "width": 40, "height": 30}],
             "annotations": [
               {"id": 7, "image_id": 1, "category_id": 3, "bbox": [1, 2, 10, 5]},
               {"id": 8, "image_id": 1, "category_id": 4, "bbox": [0, 0, 4, 4], "segmentation": [[0, 0, 4, 0, 4, 4, 0, 4]]},
               {"id": 9, "image_id": 1, "category_id": 99, "bbox": [0, 0, 4, 4]}
             ],
             "categories": [{"id": 3, "name": "person"}, {"id": 4, "name": "dog"}],
             "licenses": []}
            """;

        var records = ReadAll(json);

        Assert.Equal([1, 2, 3], records.Select(r => r.Row));
        Assert.Equal(new ImportRow(1, "7", "a.jpg", 40, 30, "person", 1, 2, 11, 7, null), records[0].Value);
        Assert.Empty(records[0].Errors);
        Assert.Equal("dog", records[1].Value!.ClassName);
        Assert.Equal(CocoRle.Encode(CocoPolygon.Rasterize([[0, 0, 4, 0, 4, 4, 0, 4]], 30, 40)), records[1].Value!.GroundTruthRle);
        Assert.Null(records[2].Value);
        Assert.Equal(("category_id", 3), (Assert.Single(records[2].Errors).Field, Assert.Single(records[2].Errors).Row));

        // The in-memory parser gives the same rows.
        var parsed = CocoBoxImport.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(records.Where(r => r.Value is not null).Select(r => r.Value), parsed.Rows);
        Assert.Equal(records.SelectMany(r => r.Errors), parsed.Errors);
    }

    /// <summary>A valid file whose annotations are long enough to cross the reader's 64 KiB buffer several times.</summary>
    private static string LongFile(string annotationsTail = "", string fileTail = "")
    {
        var builder = new StringBuilder("""{"images": [{"id": 1, "file_name": "a.jpg", "width": 40, "height": 30}], "annotations": [""");
        for (var i = 0; i < 5000; i++)
            builder.Append(i == 0 ? "" : ",").Append($$"""{"id": {{i}}, "image_id": 1, "category_id": 1, "bbox": [1, 1, 3, 3]}""");
        builder.Append(annotationsTail).Append("""], "categories": [{"id": 1, "name": "c"}]""").Append(fileTail).Append('}');
        return builder.ToString();
    }

    [Theory]
    [InlineData("", ", \"more\": [1,,2]")]                // after annotations and categories
    [InlineData(", {\"id\": 1 \"image_id\": 1}", "")]     // in the last annotation
    [InlineData("", "} trailing")]                         // after the root object
    [InlineData("", ", \"open\": [")]                     // an array never closed
    [InlineData(", tru", "")]                              // a broken literal
    public void StructuralErrorAnywhereThrowsBeforeAnyRecord(string annotationsTail, string fileTail)
    {
        var json = LongFile(annotationsTail, fileTail);
        Assert.Equal(5000, ReadAll(LongFile()).Count); // the same file without the fault reads

        using var records = CocoBoxImport.Read(Utf8(json), null, ImportLimits.Default).GetEnumerator();
        var ex = Assert.Throws<InvalidDataException>(() => records.MoveNext());
        Assert.Contains("not valid JSON", ex.Message);
    }

    [Theory]
    [InlineData("{\"images\": [], \"categories\": []}", "no \"annotations\" array")]
    [InlineData("{\"images\": {}, \"categories\": [], \"annotations\": []}", "\"images\" must be an array, found an object")]
    [InlineData("[1]", "must hold a JSON object, found an array")]
    [InlineData("", "not valid JSON")]
    [InlineData("\uFEFF", "not valid JSON")]
    public void StructuralProblemsThrowOnTheFirstMoveNext(string json, string expected)
    {
        var records = CocoBoxImport.Read(Utf8(json), null, ImportLimits.Default); // nothing is read yet
        using var enumerator = records.GetEnumerator();
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => enumerator.MoveNext()).Message);
    }

    [Fact]
    public void StreamMustSeekAndRecordsComeLazilyAndRepeatably()
    {
        var json = LongFile();
        var nonSeekable = new AsyncOnlyStream(readable: new MemoryStream(Encoding.UTF8.GetBytes(json)));
        Assert.Throws<ArgumentException>(() => CocoBoxImport.Read(nonSeekable, null, ImportLimits.Default));

        var stream = Utf8(json);
        var records = CocoBoxImport.Read(stream, null, ImportLimits.Default);
        Assert.Equal(0, stream.Position);
        Assert.Equal(["0", "1"], records.Take(2).Select(r => r.Value!.InstanceId));
        Assert.Equal(5000, records.Count()); // enumerating again starts again
    }

    [Fact]
    public void DeclaredSizeIsCheckedAgainstTheImageHeader()
    {
        using var temp = new TempFolder();
        DatasetFiles.RgbPng(Path.Combine(temp.Path, "a.png"), 24, 16);
        DatasetFiles.RgbPng(Path.Combine(temp.Path, "b.png"), 24, 16);
        Directory.CreateDirectory(Path.Combine(temp.Path, "sub"));
        DatasetFiles.RgbPng(Path.Combine(temp.Path, "sub", "c.png"), 24, 16);
        File.WriteAllText(Path.Combine(temp.Path, "text.png"), "not an image");
        var json = """
            {"images": [
               {"id": 1, "file_name": "a.png", "width": 24, "height": 16},
               {"id": 2, "file_name": "b.png", "width": 30, "height": 16},
               {"id": 3, "file_name": "sub/c.png", "width": 24, "height": 20},
               {"id": 4, "file_name": "missing.png", "width": 24, "height": 16},
               {"id": 5, "file_name": "text.png", "width": 24, "height": 16}],
             "categories": [{"id": 1, "name": "c"}],
             "annotations": [
               {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4]},
               {"id": 2, "image_id": 2, "category_id": 1, "bbox": [1, 1, 4, 4]},
               {"id": 3, "image_id": 3, "category_id": 1, "bbox": [1, 1, 4, 4]},
               {"id": 4, "image_id": 4, "category_id": 1, "bbox": [1, 1, 4, 4]},
               {"id": 5, "image_id": 5, "category_id": 1, "bbox": [1, 1, 4, 4]},
               {"id": 6, "image_id": 2, "category_id": 1, "bbox": [1, 1, 4, 4]}]}
            """;
        var asked = new List<string>();
        var folder = CocoBoxImport.FolderResolver(temp.Path);

        var records = ReadAll(json, file =>
        {
            asked.Add(file);
            return folder(file);
        });

        Assert.Equal("a.png", records[0].Value!.ImageFile);
        var errors = records.Skip(1).Select(r => Assert.Single(r.Errors)).ToList();
        Assert.Equal([(2, "width"), (3, "height"), (4, "file_name"), (5, "file_name"), (6, "width")], errors.Select(e => (e.Row, e.Field)));
        Assert.Contains("declared 30x16 but the file is 24x16", errors[0].Message);
        Assert.Contains("declared 24x20 but the file is 24x16", errors[1].Message);
        Assert.Contains("does not exist", errors[2].Message);
        Assert.Contains("could not be read", errors[3].Message);
        Assert.Equal(["a.png", "b.png", "sub/c.png", "missing.png", "text.png"], asked); // once per image
    }

    [Fact]
    public void FolderResolverStaysInsideTheRoot()
    {
        using var temp = new TempFolder();
        var root = temp.Folder("root");
        DatasetFiles.RgbPng(Path.Combine(root, "in.png"), 8, 6);
        DatasetFiles.RgbPng(Path.Combine(temp.Path, "outside.png"), 8, 6);
        File.CreateSymbolicLink(Path.Combine(root, "link.png"), Path.Combine(temp.Path, "outside.png"));
        Directory.CreateSymbolicLink(Path.Combine(root, "linkdir"), temp.Path);
        File.CreateSymbolicLink(Path.Combine(root, "inner-link.png"), Path.Combine(root, "in.png"));
        var resolve = CocoBoxImport.FolderResolver(root);

        Assert.Equal(new ResolvedImage("in.png", 8, 6), resolve("in.png"));
        Assert.Equal(new ResolvedImage("inner-link.png", 8, 6), resolve("inner-link.png"));
        Assert.Null(resolve("../outside.png"));
        Assert.Null(resolve(Path.Combine(temp.Path, "outside.png")));
        Assert.Null(resolve("link.png"));
        Assert.Null(resolve("linkdir/outside.png"));
        Assert.Null(resolve("missing.png"));
    }

    [Fact]
    public void HugeDeclaredImageIsRefusedAndNeverRasterised()
    {
        var json = """{"images":[{"id":1,"file_name":"a.jpg","width":46000,"height":46000}],"categories":[{"id":1,"name":"c"}],"annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[10,10,5,5],"segmentation":[[10,10,15,10,15,15,10,15]]}]}""";
        Assert.True(Encoding.UTF8.GetByteCount(json) <= 225);

        var refused = Assert.Single(ReadAll(json));
        var error = Assert.Single(refused.Errors);
        Assert.Equal("width", error.Field);
        Assert.Contains("46000 px wide; at most 30000", error.Message);

        // With the limits raised the polygon is still rasterised within its box, not over 46000 x 46000 bytes.
        var raised = new ImportLimits { MaxImageSide = 50_000, MaxImagePixels = 3_000_000_000 };
        ReadAll(json, limits: raised); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var row = Assert.Single(ReadAll(json, limits: raised)).Value!;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4_000_000, $"allocated {allocated} bytes");
        var counts = CocoRle.DecodeString(row.GroundTruthRle!);
        Assert.Equal(25, CocoRle.Area(counts));
        Assert.Equal(46000L * 46000, counts.Sum(c => (long)c));
    }

    [Fact]
    public void SegmentationLimitsRefuseTheRow()
    {
        const string manyPoints = "5, 5, 8, 5, 11, 5, 14, 5, 14, 8, 14, 11, 14, 14, 11, 14, 8, 14, 5, 14, 5, 11, 5, 8"; // 12 points around a square
        var manyCounts = string.Join(", ", Enumerable.Repeat("10, 5", 20)) + ", 900"; // 41 counts
        var json = $$$"""
            {"images": [{"id": 1, "file_name": "a.jpg", "width": 40, "height": 30}],
             "categories": [{"id": 1, "name": "c"}],
             "annotations": [
               {"id": 1, "image_id": 1, "category_id": 1, "bbox": [5, 5, 10, 10], "segmentation": [[{{{manyPoints}}}]]},
               {"id": 2, "image_id": 1, "category_id": 1, "bbox": [5, 5, 10, 10], "segmentation": [[5, 5, 9, 5, 9, 9], [11, 11, 14, 11, 14, 14]]},
               {"id": 3, "image_id": 1, "category_id": 1, "bbox": [5, 5, 10, 10], "segmentation": {"size": [30, 40], "counts": [{{{manyCounts}}}]}},
               {"id": 4, "image_id": 1, "category_id": 1, "bbox": [5, 5, 10, 10], "segmentation": {"size": [30, 40], "counts": [10, 5, 1185]}},
               {"id": 5, "image_id": 1, "category_id": 1, "bbox": [5, 5, 10, 10], "segmentation": {"size": [30, 40], "counts": [10, 5, 1184]}}]}
            """;
        var limits = new ImportLimits { MaxPolygonPoints = 8, MaxRleCounts = 40 };

        var records = ReadAll(json, limits: limits);

        Assert.Contains("12 points; at most 8", Assert.Single(records[0].Errors).Message);
        Assert.Equal("segmentation", records[0].Errors[0].Field);
        Assert.NotNull(records[1].Value); // 6 points over two polygons, fewer than 40 runs
        Assert.Contains("41 counts; at most 40", Assert.Single(records[2].Errors).Message);
        Assert.NotNull(records[3].Value);
        Assert.Contains("sum to 1199 pixels, expected 30x40 = 1200", Assert.Single(records[4].Errors).Message);

        // Without the limits every segmentation but the last is accepted.
        Assert.Equal([true, true, true, true, false], ReadAll(json).Select(r => r.Value is not null));
    }

    [Fact]
    public void AnnotationLongerThanTheLimitsIsRefusedAndReadingGoesOn()
    {
        var limits = new ImportLimits { MaxPolygonPoints = 1, MaxRleCounts = 1 };
        var filler = string.Join(",", Enumerable.Repeat("1", CocoBoxImport.MaxEntryBytes(limits) / 2 + 10));
        var json = $$"""
            {"images": [{"id": 1, "file_name": "a.jpg", "width": 40, "height": 30}],
             "categories": [{"id": 1, "name": "c"}],
             "annotations": [
               {"id": 1, "image_id": 1, "category_id": 1, "bbox": [5, 5, 10, 10], "notes": [{{filler}}]},
               {"id": 2, "image_id": 1, "category_id": 1, "bbox": [5, 5, 10, 10]}]}
            """;

        var records = ReadAll(json, limits: limits);

        var error = Assert.Single(records[0].Errors);
        Assert.Equal((1, "annotation"), (error.Row, error.Field));
        Assert.Contains("longer than", error.Message);
        Assert.Equal("2", records[1].Value!.InstanceId);
        Assert.Equal(2, ReadAll(json).Count(r => r.Value is not null)); // the default limits leave room for it
    }

    [Fact]
    public void DuplicateIdsAreFoundAcrossTheFile()
    {
        var annotations = string.Join(",", Enumerable.Range(0, 3000).Select(i =>
            $$"""{"id": "{{(i == 2999 ? "id-17" : $"id-{i}")}}", "image_id": 1, "category_id": 1, "bbox": [1, 1, 3, 3]}"""));
        var json = $$"""{"images": [{"id": 1, "file_name": "a.jpg", "width": 40, "height": 30}], "categories": [{"id": 1, "name": "c"}], "annotations": [{{annotations}}]}""";

        var records = ReadAll(json);

        Assert.Equal(2999, records.Count(r => r.Value is not null));
        var error = Assert.Single(records[2999].Errors);
        Assert.Equal(("id", "annotation id id-17 is already used by row 18."), (error.Field, error.Message));
    }
}

[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

/// <summary>Retained-memory checks; run alone so that other tests' allocations do not count.</summary>
[Collection(nameof(MemoryMeasurements))]
public class StreamingCocoImportMemoryTests
{
    [Fact]
    public void TwoHundredThousandAnnotationsAreReadWithBoundedMemory()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "big.json");
        const int annotations = 200_000, images = 2_000;
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
        {
            writer.Write("{\"images\": [");
            for (var i = 1; i <= images; i++)
                writer.Write($"{(i > 1 ? "," : "")}{{\"id\": {i}, \"file_name\": \"img/{i:D6}.jpg\", \"width\": 640, \"height\": 480}}");
            writer.Write("], \"annotations\": [");
            for (var i = 1; i <= annotations; i++)
            {
                var x = i % 500;
                var segmentation = i % 4 == 0 ? $", \"segmentation\": [[{x}, 10, {x + 20}, 10, {x + 20}, 40, {x}, 40]]" : "";
                writer.Write($"{(i > 1 ? "," : "")}{{\"id\": \"ann-{i}\", \"image_id\": {1 + i % images}, \"category_id\": {1 + i % 3}, " +
                             $"\"bbox\": [{x}, 10, 20, 30], \"area\": 600, \"iscrowd\": 0{segmentation}}}");
            }
            writer.Write("], \"categories\": [{\"id\": 1, \"name\": \"a\"}, {\"id\": 2, \"name\": \"b\"}, {\"id\": 3, \"name\": \"c\"}]}");
        }
        var fileSize = new FileInfo(path).Length;
        Assert.True(fileSize > 20_000_000, $"file of {fileSize} bytes");

        using var stream = File.OpenRead(path);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        int count = 0, usable = 0, withTruth = 0;
        foreach (var record in CocoBoxImport.Read(stream, null, ImportLimits.Default))
        {
            count++;
            if (record.Value is { } row)
            {
                usable++;
                if (row.GroundTruthRle is not null) withTruth++;
            }
            if (count % 50_000 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
        }

        Assert.Equal((annotations, annotations, annotations / 4), (count, usable, withTruth));
        // What stays: the image and category maps and the ids used (about 30 bytes each), against a file of 30 MB
        // that a document parser, and a list of every row, would each hold whole.
        Assert.True(peak < 16_000_000, $"retained {peak} bytes while reading a {fileSize}-byte file");
    }
}
