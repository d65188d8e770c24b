using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Segmentation.Imaging;
using Segmentation.Interchange;
using Segmentation.Masks;
using Segmentation.Tests.Datasets;

namespace Segmentation.Tests.Interchange;

internal static class Items
{
    public static async IAsyncEnumerable<T> Async<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }

    public static MaskExportItem Item(
        string id, string image, int width, int height, string className, BoxF box, BinaryMask? mask,
        double? iou = null, IReadOnlyList<ExportClick>? clicks = null, ExportProvenance? provenance = null) =>
        new(id, image, width, height, className, box.X0, box.Y0, box.X1, box.Y1,
            mask is null ? null : RleMask.FromMask(mask), "done", iou, provenance ?? ExportProvenance.None, clicks ?? []);

    /// <summary>Items grouped by image: two on a.jpg, one without a mask, one on sub/c.png.</summary>
    public static List<MaskExportItem> Grouped() =>
    [
        Item("inst-1", "a.jpg", 40, 20, "person", new BoxF(4, 2, 14, 12), DatasetFiles.Box(40, 20, 4, 2, 14, 12), iou: 0.875,
            clicks: [new ExportClick(10, 5, true, 1), new ExportClick(2, 15, false, 2)],
            provenance: new ExportProvenance(2, ["ann1", "ann2"], 12.5, 2,
                [new ExportRound(1, "ann1", 1, 4.25, false), new ExportRound(2, "ann2", 1, 8.25, false)])),
        Item("inst-2", "a.jpg", 40, 20, "/m/0bt9lr", new BoxF(19.5, 4, 31, 16.25),
            BinaryMask.FromPredicate(40, 20, (x, y) => (x - 25) * (x - 25) + (y - 10) * (y - 10) < 36)),
        Item("no-mask", "b.jpg", 10, 10, "person", new BoxF(0, 0, 5, 5), null),
        Item("inst 3", "sub/c.png", 16, 8, "Dog, small", new BoxF(0, 0, 8, 8), DatasetFiles.Box(16, 8, 0, 0, 8, 8), iou: 0.5),
    ];
}

public class StreamingExportTests
{
    [Fact]
    public async Task CocoWriteAsyncRoundTripsThroughTheStreamingImport()
    {
        var items = Items.Grouped();
        var sink = new MemoryStream();
        var output = new AsyncOnlyStream(sink);

        Assert.Equal(3, await CocoMaskExport.WriteAsync(Items.Async(items), output));

        var records = CocoBoxImport.Read(new MemoryStream(sink.ToArray()), null, ImportLimits.Default).ToList();
        var withMasks = items.Where(i => i.Mask is not null).ToList();
        Assert.All(records, r => Assert.Empty(r.Errors));
        Assert.Equal(withMasks.Count, records.Count);
        foreach (var (item, record) in withMasks.Zip(records))
        {
            var row = record.Value!;
            Assert.Equal((item.ImageFile, item.ImageWidth, item.ImageHeight, item.ClassName), (row.ImageFile, row.ImageWidth, row.ImageHeight, row.ClassName));
            Assert.Equal(new BoxF(item.X0, item.Y0, item.X1, item.Y1), row.Box);
            Assert.Equal(item.Mask!.Counts, row.GroundTruthRle);
        }
        Assert.True(output.Flushes > 0);
    }

    [Fact]
    public async Task CocoWriteAsyncHoldsWhatWriteHoldsWithAnnotationsFirst()
    {
        var items = Items.Grouped();
        var streamed = new MemoryStream();
        await CocoMaskExport.WriteAsync(Items.Async(items), new AsyncOnlyStream(streamed));
        var inMemory = new MemoryStream();
        CocoMaskExport.Write(items, inMemory);

        using var a = JsonDocument.Parse(streamed.ToArray());
        using var b = JsonDocument.Parse(inMemory.ToArray());
        Assert.Equal(["annotations", "images", "categories"], a.RootElement.EnumerateObject().Select(p => p.Name));
        foreach (var key in new[] { "images", "categories", "annotations" })
            Assert.Equal(b.RootElement.GetProperty(key).GetRawText(), a.RootElement.GetProperty(key).GetRawText());
    }

    [Fact]
    public async Task CocoWriteAsyncRefusesAnImageThatComesBack()
    {
        var mask = DatasetFiles.Box(10, 10, 1, 1, 4, 4);
        MaskExportItem[] items =
        [
            Items.Item("1", "a.jpg", 10, 10, "c", new BoxF(0, 0, 5, 5), mask),
            Items.Item("2", "b.jpg", 10, 10, "c", new BoxF(0, 0, 5, 5), mask),
            Items.Item("3", "a.jpg", 10, 10, "c", new BoxF(0, 0, 5, 5), mask),
        ];
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => CocoMaskExport.WriteAsync(Items.Async(items), new AsyncOnlyStream()));
        Assert.Contains("'3'", ex.Message);
        Assert.Contains("grouped by image file", ex.Message);

        // An item without a mask does not start a group, and the same image twice in a row is one group.
        MaskExportItem[] fine = [items[0], items[0] with { InstanceId = "1b", Mask = null }, items[0] with { InstanceId = "1c" }, items[1]];
        Assert.Equal(3, await CocoMaskExport.WriteAsync(Items.Async(fine), new AsyncOnlyStream()));

        var otherSize = items[0] with { InstanceId = "4", ImageWidth = 11, Mask = RleMask.FromMask(new BinaryMask(11, 10) { [0, 0] = true }) };
        Assert.Contains("earlier item gave 10x10", (await Assert.ThrowsAsync<ArgumentException>(() =>
            CocoMaskExport.WriteAsync(Items.Async([items[0], otherSize]), new AsyncOnlyStream()))).Message);
    }

    [Fact]
    public async Task CocoWriteAsyncStopsWhenCancelled()
    {
        using var cancel = new CancellationTokenSource();
        async IAsyncEnumerable<MaskExportItem> Endless()
        {
            var mask = RleMask.FromMask(DatasetFiles.Box(10, 10, 1, 1, 4, 4));
            for (var i = 0; ; i++)
            {
                await Task.Yield();
                if (i == 100) await cancel.CancelAsync();
                yield return Items.Item($"{i}", $"{i / 10}.jpg", 10, 10, "c", new BoxF(0, 0, 5, 5), null) with { Mask = mask };
            }
        }
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CocoMaskExport.WriteAsync(Endless(), new AsyncOnlyStream(), cancel.Token));
    }

    [Fact]
    public async Task OpenImagesWriteAsyncMakesAZipOnANonSeekableAsyncOnlyStream()
    {
        var items = Items.Grouped();
        var sink = new MemoryStream();

        Assert.Equal(3, await OpenImagesMaskExport.WriteAsync(Items.Async(items), new AsyncOnlyStream(sink)));

        using var zip = new ZipArchive(new MemoryStream(sink.ToArray()), ZipArchiveMode.Read);
        Assert.Equal(
            ["masks/a_person_inst-1.png", "masks/a__m_0bt9lr_inst-2.png", "masks/c_Dog__small_inst_3.png", "masks.csv"],
            zip.Entries.Select(e => e.FullName));
        using var temp = new TempFolder();
        var withMasks = items.Where(i => i.Mask is not null).ToList();
        foreach (var (entry, item) in zip.Entries.Take(3).Zip(withMasks))
        {
            var path = Path.Combine(temp.Path, entry.Name);
            entry.ExtractToFile(path);
            Assert.Equal(item.Mask!.ToMask(), ImageCodec.ReadMask(path));
        }

        string csv;
        using (var reader = new StreamReader(zip.GetEntry("masks.csv")!.Open(), Encoding.UTF8)) csv = reader.ReadToEnd();
        var legacy = new MemoryStream();
        OpenImagesMaskExport.Write(items, legacy);
        using var legacyZip = new ZipArchive(new MemoryStream(legacy.ToArray()), ZipArchiveMode.Read);
        using (var reader = new StreamReader(legacyZip.GetEntry("masks.csv")!.Open(), Encoding.UTF8))
            Assert.Equal(reader.ReadToEnd(), csv);
        Assert.StartsWith("MaskPath,ImageID,LabelName,BoxID,", csv);
        Assert.Contains("a_person_inst-1.png,a,person,inst-1,0.1,0.35,0.1,0.6,0.875,0.25 0.25 1;0.05 0.75 0,2,ann1;ann2,12.5\r\n", csv);
    }

    [Fact]
    public async Task ZipOfManyEntriesUsesZip64()
    {
        const int count = 70_000; // more than the 65535 entries a plain zip can count
        var sink = new MemoryStream();
        await using (var zip = new StreamingZipWriter(new AsyncOnlyStream(sink)))
        {
            for (var i = 0; i < count; i++)
                await zip.AddStoredAsync($"e/{i}.txt", Encoding.ASCII.GetBytes($"entry {i}"), CancellationToken.None);
            await zip.FinishAsync(CancellationToken.None);
        }

        using var archive = new ZipArchive(new MemoryStream(sink.ToArray()), ZipArchiveMode.Read);
        Assert.Equal(count, archive.Entries.Count);
        foreach (var index in new[] { 0, 65_534, 65_535, count - 1 })
        {
            var entry = archive.Entries[index];
            Assert.Equal($"e/{index}.txt", entry.FullName);
            using var reader = new StreamReader(entry.Open());
            Assert.Equal($"entry {index}", reader.ReadToEnd()); // the reader checks the CRC too
        }
    }

    [Fact]
    public async Task CsvTextCellsAreNeutralisedAndNumbersKept()
    {
        var mask = DatasetFiles.Box(10, 10, 1, 1, 4, 4);
        MaskExportItem[] items =
        [
            Items.Item("+1", "-img.jpg", 10, 10, "=HYPERLINK(\"http://x\",\"y\")", new BoxF(0, 0, 5, 5), mask,
                clicks: [new ExportClick(-1, 2, true, 1)],
                provenance: new ExportProvenance(1, ["@ann", "b"], 3, 1, [new ExportRound(1, "@ann", 1, 3, false)])),
            Items.Item("-2", "ok.jpg", 10, 10, "\tcls", new BoxF(0, 0, 5, 5), mask),
        ];

        foreach (var csv in new[] { await ZipCsv(items, streamed: true), await ZipCsv(items, streamed: false) })
        {
            var records = CsvReader.Read(new StringReader(csv)).Skip(1).ToList();
            Assert.StartsWith("_img_", records[0].Fields[0]);
            Assert.Equal(OpenImagesMaskExport.MaskFileName(items[0]), records[0].Fields[0]);
            Assert.Equal(
                [records[0].Fields[0], "'-img", "'=HYPERLINK(\"http://x\",\"y\")", "'+1", "0", "0.5", "0", "0.5", "", "-0.1 0.2 1", "1", "'@ann;b", "3"],
                records[0].Fields);
            Assert.Equal(["ok__cls_-2.png", "ok", "'\tcls", "'-2"], records[1].Fields.Take(4));
            Assert.Contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",", csv); // still quoted as CSV requires
            Assert.Contains(",-0.1 0.2 1,", csv);
        }
    }

    private static async Task<string> ZipCsv(IEnumerable<MaskExportItem> items, bool streamed)
    {
        var sink = new MemoryStream();
        if (streamed) await OpenImagesMaskExport.WriteAsync(Items.Async(items), new AsyncOnlyStream(sink));
        else OpenImagesMaskExport.Write(items, sink);
        using var zip = new ZipArchive(new MemoryStream(sink.ToArray()), ZipArchiveMode.Read);
        using var reader = new StreamReader(zip.GetEntry(OpenImagesMaskExport.CsvEntryName)!.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

/// <summary>Retained-memory checks of the exports; run alone (see <see cref="MemoryMeasurements"/>).</summary>
[Collection(nameof(MemoryMeasurements))]
public class StreamingExportMemoryTests
{
    /// <summary>Items made on demand, each about a kilobyte, ten per image; samples retained memory as they go.</summary>
    private sealed class Source(int count)
    {
        public long Before { get; } = GC.GetTotalMemory(forceFullCollection: true);
        public long Peak { get; private set; }

        public async IAsyncEnumerable<MaskExportItem> Items()
        {
            var random = new Random(5);
            for (var i = 0; i < count; i++)
            {
                if (i % 5000 == 4999) Peak = Math.Max(Peak, GC.GetTotalMemory(forceFullCollection: true) - Before);
                if (i % 100 == 0) await Task.Yield();
                int x = random.Next(40), y = random.Next(20);
                var mask = BinaryMask.FromPredicate(64, 48, (px, py) => px >= x && px < x + 20 && py >= y && py < y + 20 && (px + py) % 7 != 0);
                var clicks = Enumerable.Range(0, 8).Select(k => new ExportClick(x + k, y + k, k % 2 == 0, 1 + k / 4)).ToArray();
                var rounds = new[] { new ExportRound(1, $"annotator-{i % 37}", 4, 2.5, false), new ExportRound(2, $"annotator-{i % 41}", 4, 3.5, false) };
                yield return new MaskExportItem($"instance-{i:D7}", $"images/{i / 10:D6}.jpg", 64, 48, $"class-{i % 5}",
                    x, y, x + 20, y + 20, RleMask.FromMask(mask), "done", 0.9,
                    new ExportProvenance(2, rounds.Select(r => r.Annotator).ToArray(), 6, 8, rounds), clicks);
            }
        }
    }

    [Fact]
    public async Task CocoExportOfFiftyThousandItemsKeepsMemoryBounded()
    {
        var source = new Source(50_000);
        var output = new AsyncOnlyStream();

        Assert.Equal(50_000, await CocoMaskExport.WriteAsync(source.Items(), output));

        Assert.True(output.BytesWritten > 20_000_000, $"wrote {output.BytesWritten} bytes");
        // Holding the items, or the JSON, would take tens of megabytes; what stays is the image names and class names.
        Assert.True(source.Peak < 6_000_000, $"retained {source.Peak} bytes");
    }

    [Fact]
    public async Task OpenImagesExportOfManyItemsKeepsMemoryBounded()
    {
        var source = new Source(15_000);
        var output = new AsyncOnlyStream();

        Assert.Equal(15_000, await OpenImagesMaskExport.WriteAsync(source.Items(), output));

        Assert.True(output.BytesWritten > 1_500_000, $"wrote {output.BytesWritten} bytes");
        Assert.True(source.Peak < 6_000_000, $"retained {source.Peak} bytes");
    }
}
