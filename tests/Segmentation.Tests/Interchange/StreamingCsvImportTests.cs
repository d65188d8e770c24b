using System.Text;
using Segmentation.Interchange;
using Segmentation.Masks;
using Segmentation.Tests.Datasets;

namespace Segmentation.Tests.Interchange;

public class StreamingCsvImportTests
{
    private static ResolvedImage? TwoImages(string id) => id switch
    {
        "a" => new ResolvedImage("a.jpg", 10, 10),
        "b" => new ResolvedImage("sub/b.png", 20, 8),
        _ => null,
    };

    private const string Mixed =
        "ImageID,LabelName,XMin,XMax,YMin,YMax,BoxID\n" +
        "a,cls,0,1,0,1,good-1\n" +
        "a,cls,0,1,0,1\n" +
        "b,\"Dog, small\",0.25,0.5,0,1,good-2\n" +
        "\n" +
        "nope,,2,1,0,1,b4\n" +
        "a,cls,0,1,0,1,good-1\n" +
        "\"multi\nline\",cls,0,1,0,1,x\n" +
        "b,cls,0,0.5,0.5,1,\n";

    [Fact]
    public void ReadYieldsTheRowsAndErrorsParseReturns()
    {
        var records = OpenImagesBoxImport.Read(new StringReader(Mixed), TwoImages, null, ImportLimits.Default).ToList();
        var parsed = OpenImagesBoxImport.Parse(new StringReader(Mixed), TwoImages);

        Assert.Equal([2, 3, 4, 6, 7, 8, 10], records.Select(r => r.Row));
        Assert.Equal(parsed.Rows, records.Where(r => r.Value is not null).Select(r => r.Value!));
        Assert.Equal(parsed.Errors, records.SelectMany(r => r.Errors));
        Assert.Equal(parsed.RowsRead, records.Count);
        Assert.All(records, r => Assert.True(r.Value is null != (r.Errors.Count == 0)));
        Assert.All(records.SelectMany(r => r.Errors), e => Assert.Contains(records, r => r.Row == e.Row && r.Errors.Contains(e)));

        Assert.Equal(["good-1", "good-2", "b-10"], parsed.Rows.Select(r => r.InstanceId));
        Assert.Equal(
            [(3, "row"), (6, "LabelName"), (6, "XMin"), (6, "ImageID"), (7, "BoxID"), (8, "ImageID")],
            parsed.Errors.Select(e => (e.Row, e.Field)));
        Assert.Equal(new ImportRow(4, "good-2", "sub/b.png", 20, 8, "Dog, small", 5, 0, 10, 8, null), parsed.Rows[1]);
    }

    /// <summary>A CSV that never ends: a header, then rows as long as anyone reads.</summary>
    private sealed class EndlessCsv : TextReader
    {
        private string line = "ImageID,LabelName,XMin,XMax,YMin,YMax\n";
        private int position;

        public long CharsRead { get; private set; }

        public override int Peek() => line[position];

        public override int Read()
        {
            var c = line[position++];
            CharsRead++;
            if (position == line.Length)
            {
                line = "a,cls,0,0.5,0,0.5\n";
                position = 0;
            }
            return c;
        }
    }

    [Fact]
    public void RecordsComeAsTheCallerAsks()
    {
        var csv = new EndlessCsv();
        var asked = 0;

        var first = OpenImagesBoxImport.Read(csv, id =>
        {
            asked++;
            return TwoImages(id);
        }, null, ImportLimits.Default).Take(1000).ToList();

        Assert.Equal(1000, first.Count(r => r.Value is not null));
        Assert.Equal(1001, first[^1].Row);
        Assert.True(csv.CharsRead < 1002 * 20, $"read {csv.CharsRead} characters");
        Assert.Equal(1, asked); // the cache answers for the rows of the same image
    }

    [Fact]
    public void HeaderProblemsThrowOnTheFirstMoveNextAndAMissingMasksFolderAtOnce()
    {
        var records = OpenImagesBoxImport.Read(new StringReader("ImageID,LabelName\n"), TwoImages, null, ImportLimits.Default);
        using var enumerator = records.GetEnumerator();
        Assert.Contains("XMin, XMax, YMin, YMax", Assert.Throws<InvalidDataException>(() => enumerator.MoveNext()).Message);

        Assert.Throws<DirectoryNotFoundException>(() =>
            OpenImagesBoxImport.Read(new StringReader(Mixed), TwoImages, "/no/such/folder", ImportLimits.Default));
    }

    [Fact]
    public void OverlongRecordIsRefusedAndTheNextOneRead()
    {
        var huge = new string('x', OpenImagesBoxImport.MaxRecordChars + 10);
        var csv = "ImageID,LabelName,XMin,XMax,YMin,YMax\n" +
                  $"a,\"{huge}\",0,1,0,1\n" +
                  $"a,{huge},0,1,0,1\n" +
                  "a,cls,0,1,0,1\n";

        var records = OpenImagesBoxImport.Read(new StringReader(csv), TwoImages, null, ImportLimits.Default).ToList();

        Assert.Equal([2, 3, 4], records.Select(r => r.Row));
        foreach (var refused in records.Take(2))
        {
            var error = Assert.Single(refused.Errors);
            Assert.Equal("row", error.Field);
            Assert.Contains($"longer than {OpenImagesBoxImport.MaxRecordChars} characters", error.Message);
        }
        Assert.Equal("a-4", records[2].Value!.InstanceId);
    }

    [Fact]
    public void ImageAndMaskLimitsRefuseRows()
    {
        using var temp = new TempFolder();
        var masks = temp.Folder("masks");
        var checkerboard = BinaryMask.FromPredicate(10, 10, (x, y) => (x + y) % 2 == 0);
        DatasetFiles.Mask(Path.Combine(masks, "fine.png"), DatasetFiles.Box(10, 10, 2, 2, 6, 6));
        DatasetFiles.Mask(Path.Combine(masks, "checker.png"), checkerboard);
        var csv = string.Join("\n",
            "ImageID,LabelName,XMin,XMax,YMin,YMax,MaskPath",
            "a,c,0,1,0,1,fine.png",
            "a,c,0,1,0,1,checker.png",
            "wide,c,0,1,0,1,",
            "big,c,0,1,0,1,");
        ResolvedImage? Resolve(string id) => id switch
        {
            "wide" => new ResolvedImage("wide.jpg", 40_000, 10),
            "big" => new ResolvedImage("big.jpg", 20_000, 20_000),
            _ => TwoImages(id),
        };

        var records = OpenImagesBoxImport.Read(new StringReader(csv), Resolve, masks, new ImportLimits { MaxRleCounts = 50 }).ToList();

        Assert.Equal(CocoRle.Encode(DatasetFiles.Box(10, 10, 2, 2, 6, 6)), records[0].Value!.GroundTruthRle);
        Assert.Equal(("MaskPath", "the mask 'checker.png' needs more than 50 run-length counts."),
            (Assert.Single(records[1].Errors).Field, records[1].Errors[0].Message));
        Assert.Equal("ImageID", Assert.Single(records[2].Errors).Field);
        Assert.Contains("40000 px wide; at most 30000", records[2].Errors[0].Message);
        Assert.Contains("400000000 pixels; at most 300000000", Assert.Single(records[3].Errors).Message);

        // With the default limits the checkerboard's 100 runs are accepted.
        var relaxed = OpenImagesBoxImport.Read(new StringReader(csv), Resolve, masks, ImportLimits.Default).ToList();
        Assert.Equal(CocoRle.Encode(checkerboard), relaxed[1].Value!.GroundTruthRle);
    }

    [Fact]
    public void StreamParseWithByteOrderMarkStillWorks()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Mixed)).ToArray();
        var fromStream = OpenImagesBoxImport.Parse(new MemoryStream(bytes), TwoImages);
        Assert.Equal(OpenImagesBoxImport.Parse(new StringReader(Mixed), TwoImages).Rows, fromStream.Rows);
    }
}
