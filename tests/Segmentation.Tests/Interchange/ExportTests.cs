using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Segmentation.Imaging;
using Segmentation.Interchange;
using Segmentation.Masks;
using Segmentation.Tests.Datasets;

namespace Segmentation.Tests.Interchange;

public class ExportTests
{
    private static readonly BinaryMask PersonMask = DatasetFiles.Box(40, 20, 4, 2, 14, 12);
    private static readonly BinaryMask DogMask = BinaryMask.FromPredicate(40, 20, (x, y) => (x - 25) * (x - 25) + (y - 10) * (y - 10) < 36);
    private static readonly BinaryMask OtherMask = DatasetFiles.Box(16, 8, 0, 0, 8, 8);

    private static MaskExportItem Item(
        string id, string image, int width, int height, string className, BoxF box, BinaryMask? mask,
        double? iou = null, IReadOnlyList<ExportClick>? clicks = null, ExportProvenance? provenance = null) =>
        new(id, image, width, height, className, box.X0, box.Y0, box.X1, box.Y1,
            mask is null ? null : RleMask.FromMask(mask), "done", iou, provenance ?? ExportProvenance.None, clicks ?? []);

    private static List<MaskExportItem> Items() =>
    [
        Item("inst-1", "a.jpg", 40, 20, "person", new BoxF(4, 2, 14, 12), PersonMask, iou: 0.875,
            clicks: [new ExportClick(10, 5, true, 1), new ExportClick(2, 15, false, 2)],
            provenance: new ExportProvenance(2, ["ann1", "ann2"], 12.5, 2,
                [new ExportRound(1, "ann1", 1, 4.25, false), new ExportRound(2, "ann2", 1, 8.25, false)])),
        Item("inst-2", "a.jpg", 40, 20, "/m/0bt9lr", new BoxF(19.5, 4, 31, 16.25), DogMask),
        Item("no-mask", "b.jpg", 10, 10, "person", new BoxF(0, 0, 5, 5), null),
        Item("inst 3", "sub/c.png", 16, 8, "Dog, small", new BoxF(0, 0, 8, 8), OtherMask, iou: 0.5),
    ];

    [Fact]
    public void CocoExportWritesImagesCategoriesAnnotationsAndProvenance()
    {
        using var output = new MemoryStream();
        Assert.Equal(3, CocoMaskExport.Write(Items(), output));

        using var document = JsonDocument.Parse(output.ToArray());
        var root = document.RootElement;
        Assert.Equal(
            ["1:a.jpg:40x20", "2:sub/c.png:16x8"],
            root.GetProperty("images").EnumerateArray().Select(i =>
                $"{i.GetProperty("id").GetInt32()}:{i.GetProperty("file_name").GetString()}:{i.GetProperty("width").GetInt32()}x{i.GetProperty("height").GetInt32()}"));
        Assert.Equal(
            ["1:person", "2:/m/0bt9lr", "3:Dog, small"],
            root.GetProperty("categories").EnumerateArray().Select(c => $"{c.GetProperty("id").GetInt32()}:{c.GetProperty("name").GetString()}"));

        var annotations = root.GetProperty("annotations").EnumerateArray().ToArray();
        Assert.Equal([1, 2, 3], annotations.Select(a => a.GetProperty("id").GetInt32()));
        Assert.Equal([1, 1, 2], annotations.Select(a => a.GetProperty("image_id").GetInt32()));
        Assert.Equal([1, 2, 3], annotations.Select(a => a.GetProperty("category_id").GetInt32()));
        Assert.Equal(["inst-1", "inst-2", "inst 3"], annotations.Select(a => a.GetProperty("instance_id").GetString()));
        Assert.Equal([PersonMask.Area(), DogMask.Area(), OtherMask.Area()], annotations.Select(a => a.GetProperty("area").GetInt64()));
        Assert.All(annotations, a => Assert.Equal(0, a.GetProperty("iscrowd").GetInt32()));
        Assert.Equal([19.5, 4, 11.5, 12.25], annotations[1].GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()));

        var first = annotations[0];
        Assert.Equal("done", first.GetProperty("status").GetString());
        Assert.Equal(0.875, first.GetProperty("predicted_iou").GetDouble());
        Assert.Equal(JsonValueKind.Null, annotations[1].GetProperty("predicted_iou").ValueKind);
        var segmentation = first.GetProperty("segmentation");
        Assert.Equal([20, 40], segmentation.GetProperty("size").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(PersonMask, CocoRle.Decode(segmentation.GetProperty("counts").GetString()!, 20, 40));

        var provenance = first.GetProperty("provenance");
        Assert.Equal(2, provenance.GetProperty("rounds_answered").GetInt32());
        Assert.Equal(["ann1", "ann2"], provenance.GetProperty("annotators").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(12.5, provenance.GetProperty("total_seconds").GetDouble());
        Assert.Equal(2, provenance.GetProperty("total_clicks").GetInt32());
        var round = provenance.GetProperty("rounds")[1];
        Assert.Equal((2, "ann2", 1, 8.25, false),
            (round.GetProperty("round").GetInt32(), round.GetProperty("annotator").GetString(), round.GetProperty("clicks").GetInt32(),
             round.GetProperty("seconds").GetDouble(), round.GetProperty("skipped").GetBoolean()));
    }

    [Fact]
    public void CocoExportParsesBackWithTheImporter()
    {
        var items = Items().Where(i => i.Mask is not null).ToList();
        using var output = new MemoryStream();
        CocoMaskExport.Write(items, output, indented: true);

        var result = CocoBoxImport.Parse(output.ToArray());

        Assert.Empty(result.Errors);
        Assert.Equal(items.Count, result.Rows.Count);
        foreach (var (item, row) in items.Zip(result.Rows))
        {
            Assert.Equal((item.ImageFile, item.ImageWidth, item.ImageHeight, item.ClassName), (row.ImageFile, row.ImageWidth, row.ImageHeight, row.ClassName));
            Assert.Equal(new BoxF(item.X0, item.Y0, item.X1, item.Y1), row.Box);
            Assert.Equal(item.Mask!.Counts, row.GroundTruthRle);
        }
    }

    [Fact]
    public void ExportsRejectInvalidItemsBeforeWriting()
    {
        var wrongSize = Item("bad", "a.jpg", 40, 20, "person", new BoxF(0, 0, 5, 5), OtherMask);
        var items = new List<MaskExportItem>(Items()) { wrongSize };
        using var coco = new MemoryStream();
        Assert.Contains("'bad'", Assert.Throws<ArgumentException>(() => CocoMaskExport.Write(items, coco)).Message);
        Assert.Equal(0, coco.Length);
        using var zip = new MemoryStream();
        Assert.Throws<ArgumentException>(() => OpenImagesMaskExport.Write(items, zip));
        Assert.Equal(0, zip.Length);

        var conflicting = Item("other", "a.jpg", 41, 20, "person", new BoxF(0, 0, 5, 5), null) with { Mask = RleMask.FromMask(new BinaryMask(41, 20) { [0, 0] = true }) };
        Assert.Contains("earlier item gave 40x20", Assert.Throws<ArgumentException>(() =>
            CocoMaskExport.Write([.. Items(), conflicting], new MemoryStream())).Message);

        var badBox = Item("box", "a.jpg", 40, 20, "person", new BoxF(5, 0, 5, 5), PersonMask);
        Assert.Throws<ArgumentException>(() => CocoMaskExport.Write([badBox], new MemoryStream()));
    }

    [Fact]
    public void OpenImagesExportWritesPngMasksAndCsv()
    {
        using var output = new MemoryStream();
        Assert.Equal(3, OpenImagesMaskExport.Write(Items(), output));

        using var zip = new ZipArchive(new MemoryStream(output.ToArray()), ZipArchiveMode.Read);
        Assert.Equal(
            ["masks/a_person_inst-1.png", "masks/a__m_0bt9lr_inst-2.png", "masks/c_Dog__small_inst_3.png", "masks.csv"],
            zip.Entries.Select(e => e.FullName));

        using var temp = new TempFolder();
        foreach (var (entryName, expected) in new[] { ("masks/a_person_inst-1.png", PersonMask), ("masks/a__m_0bt9lr_inst-2.png", DogMask), ("masks/c_Dog__small_inst_3.png", OtherMask) })
        {
            var path = Path.Combine(temp.Path, Path.GetFileName(entryName));
            zip.GetEntry(entryName)!.ExtractToFile(path);
            var (_, _, values) = ImageCodec.ReadMaskValues(path);
            Assert.All(values, v => Assert.True(v is 0 or 255, $"pixel value {v}"));
            Assert.Equal(expected, ImageCodec.ReadMask(path));
        }

        string csvText;
        using (var reader = new StreamReader(zip.GetEntry("masks.csv")!.Open(), Encoding.UTF8))
            csvText = reader.ReadToEnd();
        Assert.False(csvText.StartsWith('\uFEFF'));
        var records = CsvReader.Read(new StringReader(csvText)).ToList();
        Assert.Equal(OpenImagesMaskExport.CsvColumns, records[0].Fields);
        Assert.Equal("MaskPath,ImageID,LabelName,BoxID,BoxXMin,BoxXMax,BoxYMin,BoxYMax,PredictedIoU,Clicks,Rounds,Annotators,Seconds",
            csvText[..csvText.IndexOf('\r')]);
        Assert.Equal(4, records.Count);
        Assert.All(records, r => Assert.Null(r.Error));

        Assert.Equal(
            ["a_person_inst-1.png", "a", "person", "inst-1", "0.1", "0.35", "0.1", "0.6", "0.875", "0.25 0.25 1;0.05 0.75 0", "2", "ann1;ann2", "12.5"],
            records[1].Fields);
        Assert.Equal(
            ["a__m_0bt9lr_inst-2.png", "a", "/m/0bt9lr", "inst-2", "0.4875", "0.775", "0.2", "0.8125", "", "", "0", "", "0"],
            records[2].Fields);
        Assert.Equal(["c_Dog__small_inst_3.png", "c", "Dog, small", "inst 3"], records[3].Fields.Take(4));
        Assert.Contains("\"Dog, small\"", csvText);
    }

    [Fact]
    public void OpenImagesExportKeepsMaskNamesUnique()
    {
        var mask = DatasetFiles.Box(10, 10, 1, 1, 3, 3);
        MaskExportItem[] items =
        [
            Item("x y", "img.jpg", 10, 10, "c", new BoxF(0, 0, 5, 5), mask),
            Item("x_y", "img.jpg", 10, 10, "c", new BoxF(0, 0, 5, 5), mask),
            Item("x:y", "img.jpg", 10, 10, "c", new BoxF(0, 0, 5, 5), mask),
        ];
        using var output = new MemoryStream();
        OpenImagesMaskExport.Write(items, output);

        using var zip = new ZipArchive(new MemoryStream(output.ToArray()), ZipArchiveMode.Read);
        Assert.Equal(["masks/img_c_x_y.png", "masks/img_c_x_y_2.png", "masks/img_c_x_y_3.png", "masks.csv"], zip.Entries.Select(e => e.FullName));
        using var reader = new StreamReader(zip.GetEntry("masks.csv")!.Open());
        var records = CsvReader.Read(reader).Skip(1).ToList();
        Assert.Equal(["x y", "x_y", "x:y"], records.Select(r => r.Fields[3]));
        Assert.Equal(["img_c_x_y.png", "img_c_x_y_2.png", "img_c_x_y_3.png"], records.Select(r => r.Fields[0]));
    }

    [Fact]
    public void ExportsWriteNothingButHeadersForItemsWithoutMasks()
    {
        MaskExportItem[] items = [Item("only", "a.jpg", 4, 4, "c", new BoxF(0, 0, 1, 1), null)];
        using var coco = new MemoryStream();
        Assert.Equal(0, CocoMaskExport.Write(items, coco));
        Assert.Equal("{\"images\":[],\"categories\":[],\"annotations\":[]}", Encoding.UTF8.GetString(coco.ToArray()));

        using var zipStream = new MemoryStream();
        Assert.Equal(0, OpenImagesMaskExport.Write(items, zipStream));
        using var zip = new ZipArchive(new MemoryStream(zipStream.ToArray()), ZipArchiveMode.Read);
        Assert.Equal("masks.csv", Assert.Single(zip.Entries).FullName);
    }
}
