using System.Text;
using Segmentation.Interchange;
using Segmentation.Masks;
using Segmentation.Tests.Datasets;

namespace Segmentation.Tests.Interchange;

public class OpenImagesBoxImportTests
{
    private static ImportParseResult Parse(string csv, Func<string, ResolvedImage?> resolve, string? masks = null) =>
        OpenImagesBoxImport.Parse(new StringReader(csv), resolve, masks);

    /// <summary>A resolver over fixed images that counts how often each id is asked for.</summary>
    private sealed class FixedImages(params (string Id, string File, int Width, int Height)[] images)
    {
        public Dictionary<string, int> Asked { get; } = [];

        public ResolvedImage? Resolve(string id)
        {
            Asked[id] = Asked.GetValueOrDefault(id) + 1;
            return images.Where(i => i.Id == id).Select(i => new ResolvedImage(i.File, i.Width, i.Height)).FirstOrDefault();
        }
    }

    [Fact]
    public void ReadsReorderedColumnsQuotedFieldsAndGeneratesIds()
    {
        var images = new FixedImages(("img1", "img1.jpg", 200, 100), ("img2", "sub/img2.png", 50, 40));
        var csv =
            "Source,LabelName,XMax,ImageID,YMin,Confidence,XMin,YMax,IsGroupOf\r\n" +
            "\"xclick, verified\",/m/01g317,0.5,img1,0.25,1,0.25,0.75,0\r\n" +
            "human,\"Dog, small\",1,img1,0,1,0,1,0\r\n" +
            "\r\n" +                                                            // blank line 4: skipped, still counted
            "human,\"Cat \"\"tabby\"\"\",0.8,img2,0.1,1,0.2,0.9,0\n" +           // line 5, LF only
            "\"multi\r\nline\",/m/cat,0.5,img2,0,1,0,0.5,1\n" +                 // starts on line 6, ends on line 7
            "human,/m/cat,1,img2,0,1,0.5,1,0";                                   // line 8, no final line break

        var result = Parse(csv, images.Resolve);

        Assert.Empty(result.Errors);
        Assert.Equal(5, result.RowsRead);
        Assert.Equal(
            [
                new ImportRow(2, "img1-2", "img1.jpg", 200, 100, "/m/01g317", 50, 25, 100, 75, null),
                new ImportRow(3, "img1-3", "img1.jpg", 200, 100, "Dog, small", 0, 0, 200, 100, null),
                new ImportRow(5, "img2-5", "sub/img2.png", 50, 40, "Cat \"tabby\"", 0.2 * 50, 0.1 * 40, 0.8 * 50, 0.9 * 40, null),
                new ImportRow(6, "img2-6", "sub/img2.png", 50, 40, "/m/cat", 0, 0, 25, 20, null),
                new ImportRow(8, "img2-8", "sub/img2.png", 50, 40, "/m/cat", 25, 0, 50, 40, null),
            ],
            result.Rows);
        Assert.Equal(1, images.Asked["img1"]);
        Assert.Equal(1, images.Asked["img2"]);
    }

    [Fact]
    public void BoxIdColumnGivesIdsAndEmptyBoxIdFallsBackToGenerated()
    {
        var images = new FixedImages(("a", "a.jpg", 10, 10));
        var csv =
            "ImageID,BoxID,LabelName,XMin,XMax,YMin,YMax\n" +
            "a,box-7,cls,0,1,0,1\n" +
            "a,,cls,0,0.5,0,0.5\n";

        var result = Parse(csv, images.Resolve);

        Assert.Empty(result.Errors);
        Assert.Equal(["box-7", "a-3"], result.Rows.Select(r => r.InstanceId));
    }

    [Fact]
    public void ReportsEachBadRowKindWithLineAndColumn()
    {
        var images = new FixedImages(("a", "a.jpg", 10, 10), ("a/b", "x.jpg", 10, 10));
        var lines = new[]
        {
            "ImageID,LabelName,XMin,XMax,YMin,YMax,BoxID",
            "a,cls,0,1,0,1,good-1",       // 2 good
            "a,cls,0,1,0,1",              // 3 wrong field count
            "a,cls,zero,1,0,1,b3",        // 4 non-numeric XMin
            "a,cls,0,1.5,0,1,b4",         // 5 XMax out of range
            "a,cls,0,1,-0.1,1,b5",        // 6 YMin out of range
            "a,cls,0.6,0.4,0,1,b6",       // 7 XMin >= XMax
            "a,cls,0,1,0.5,0.5,b7",       // 8 YMin >= YMax
            "a,,0,1,0,1,b8",              // 9 empty LabelName
            "nope,cls,0,1,0,1,b9",        // 10 unknown image
            ",cls,0,1,0,1,b10",           // 11 empty ImageID
            "a,cls,0,1,0,1,bad/id",       // 12 '/' in BoxID
            "a,cls,0,1,0,1,good-1",       // 13 duplicate BoxID
            "a/b,cls,0,1,0,1,",           // 14 generated id would contain '/'
            "a,cls,0,1,0,1," + new string('x', 201), // 15 id too long
            "a,cls,0,1,0,1,tab\tid",      // 16 control character
            "nope,,2,1,0,1,b16",          // 17 several problems
            "a,cls,0,1,0,1,good-2",       // 18 good
            "a,cls,0,1,0,1,\"unclosed",   // 19 open quote to the end of the file
        };

        var result = Parse(string.Join("\n", lines) + "\n", images.Resolve);

        Assert.Equal(18, result.RowsRead);
        Assert.Equal(["good-1", "good-2"], result.Rows.Select(r => r.InstanceId));
        Assert.Equal([2, 18], result.Rows.Select(r => r.Row));
        Assert.Equal(
            [
                (3, "row"), (4, "XMin"), (5, "XMax"), (6, "YMin"), (7, "XMax"), (8, "YMax"), (9, "LabelName"),
                (10, "ImageID"), (11, "ImageID"), (12, "BoxID"), (13, "BoxID"), (14, "ImageID"), (15, "BoxID"), (16, "BoxID"),
                (17, "LabelName"), (17, "XMin"), (17, "ImageID"), (19, "row"),
            ],
            result.Errors.Select(e => (e.Row, e.Field)));

        string Message(int row, string field) => result.Errors.First(e => e.Row == row && e.Field == field).Message;
        Assert.Contains("6 fields, the header has 7", Message(3, "row"));
        Assert.Contains("'zero' is not a number", Message(4, "XMin"));
        Assert.Contains("outside 0..1", Message(5, "XMax"));
        Assert.Contains("must be greater than XMin", Message(7, "XMax"));
        Assert.Contains("'nope' was not found", Message(10, "ImageID"));
        Assert.Contains("already used on line 2", Message(13, "BoxID"));
        Assert.Contains("'/'", Message(14, "ImageID"));
        Assert.Contains("200", Message(15, "BoxID"));
        Assert.Contains("control character", Message(16, "BoxID"));
        Assert.Contains("not closed", Message(19, "row"));
        Assert.Equal(1, images.Asked["nope"]);
    }

    [Fact]
    public void MissingColumnsThrowNamingThem()
    {
        var ex = Assert.Throws<InvalidDataException>(() =>
            Parse("ImageID,LabelName,XMin,YMin\nimg,cls,0,0\n", _ => null));
        Assert.Contains("XMax, YMax", ex.Message);
        Assert.DoesNotContain("XMin,", ex.Message[..ex.Message.IndexOf("found", StringComparison.Ordinal)]);
    }

    [Fact]
    public void EmptyFileAndDuplicateColumnsThrow()
    {
        Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => Parse("", _ => null)).Message);
        Assert.Contains("twice", Assert.Throws<InvalidDataException>(() =>
            Parse("ImageID,LabelName,XMin,XMax,YMin,YMax,xmin\n", _ => null)).Message);
    }

    [Fact]
    public void HeaderWithByteOrderMarkAndOtherCaseIsAccepted()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("imageid,labelname,xmin,xmax,ymin,ymax\na,c,0,1,0,1\n")).ToArray();
        var result = OpenImagesBoxImport.Parse(new MemoryStream(bytes), new FixedImages(("a", "a.png", 4, 4)).Resolve);
        Assert.Equal(new ImportRow(2, "a-2", "a.png", 4, 4, "c", 0, 0, 4, 4, null), Assert.Single(result.Rows));
    }

    [Fact]
    public void FolderResolverFindsImagesAndReadsTheirSize()
    {
        using var temp = new TempFolder();
        DatasetFiles.RgbPng(Path.Combine(temp.Path, "p1.png"), 24, 16);
        DatasetFiles.GreyJpeg(Path.Combine(temp.Path, "j1.jpg"), 30, 20);
        File.WriteAllText(Path.Combine(temp.Path, "broken.png"), "not an image");
        Directory.CreateDirectory(Path.Combine(temp.Path, "sub"));
        DatasetFiles.RgbPng(Path.Combine(temp.Path, "sub", "deep.png"), 8, 8);
        var resolve = OpenImagesBoxImport.FolderResolver(temp.Path);

        Assert.Equal(new ResolvedImage("p1.png", 24, 16), resolve("p1"));
        Assert.Equal(new ResolvedImage("j1.jpg", 30, 20), resolve("j1"));
        Assert.Null(resolve("none"));
        Assert.Null(resolve("sub/deep"));
        Assert.Null(resolve("../" + Path.GetFileName(temp.Path) + "/p1"));

        var csv = "ImageID,LabelName,XMin,XMax,YMin,YMax\np1,c,0,0.5,0,0.5\nbroken,c,0,1,0,1\nj1,c,0,1,0,1\n";
        var result = Parse(csv, resolve);
        Assert.Equal(["p1.png", "j1.jpg"], result.Rows.Select(r => r.ImageFile));
        Assert.Equal(new BoxF(0, 0, 12, 8), result.Rows[0].Box);
        var error = Assert.Single(result.Errors);
        Assert.Equal((3, "ImageID"), (error.Row, error.Field));
        Assert.Contains("could not be read", error.Message);
    }

    [Fact]
    public void MaskPathColumnReadsGroundTruthAndReportsBadMasks()
    {
        using var temp = new TempFolder();
        var masks = temp.Folder("masks");
        var truth = DatasetFiles.Box(12, 8, 2, 1, 9, 6);
        DatasetFiles.Mask(Path.Combine(masks, "m1.png"), truth);
        Directory.CreateDirectory(Path.Combine(masks, "sub"));
        DatasetFiles.Mask(Path.Combine(masks, "sub", "m2.png"), truth.Not());
        DatasetFiles.Mask(Path.Combine(masks, "small.png"), new BinaryMask(6, 4) { [1, 1] = true });
        DatasetFiles.Mask(Path.Combine(masks, "empty.png"), new BinaryMask(12, 8));
        File.WriteAllText(Path.Combine(masks, "text.png"), "not a png");
        var images = new FixedImages(("a", "a.jpg", 12, 8));
        var csv = string.Join("\n",
            "ImageID,LabelName,XMin,XMax,YMin,YMax,MaskPath",
            "a,c,0,1,0,1,m1.png",
            "a,c,0,1,0,1,sub/m2.png",
            "a,c,0,1,0,1,",
            "a,c,0,1,0,1,small.png",
            "a,c,0,1,0,1,missing.png",
            "a,c,0,1,0,1,/etc/m1.png",
            "a,c,0,1,0,1,../masks/m1.png",
            "a,c,0,1,0,1,empty.png",
            "a,c,0,1,0,1,text.png");

        var result = Parse(csv, images.Resolve, masks);

        Assert.Equal([2, 3, 4], result.Rows.Select(r => r.Row));
        Assert.Equal(truth, result.Rows[0].GroundTruth!.ToMask());
        Assert.Equal(CocoRle.Encode(truth.Not()), result.Rows[1].GroundTruthRle);
        Assert.Null(result.Rows[2].GroundTruthRle);
        Assert.All(result.Errors, e => Assert.Equal("MaskPath", e.Field));
        Assert.Equal([5, 6, 7, 8, 9, 10], result.Errors.Select(e => e.Row));
        Assert.Contains("6x4 but the image is 12x8", result.Errors[0].Message);
        Assert.Contains("does not exist", result.Errors[1].Message);
        Assert.Contains("absolute", result.Errors[2].Message);
        Assert.Contains("'..'", result.Errors[3].Message);
        Assert.Contains("no pixel", result.Errors[4].Message);
        Assert.Contains("could not be read", result.Errors[5].Message);
    }

    [Fact]
    public void MaskPathColumnWithoutMasksFolderThrows()
    {
        var ex = Assert.Throws<InvalidDataException>(() =>
            Parse("ImageID,LabelName,XMin,XMax,YMin,YMax,MaskPath\na,c,0,1,0,1,m.png\n", _ => new ResolvedImage("a.jpg", 4, 4)));
        Assert.Contains("MaskPath", ex.Message);
    }

    [Fact]
    public void ResolverResultsAreChecked()
    {
        var csv = "ImageID,LabelName,XMin,XMax,YMin,YMax\nabs,c,0,1,0,1\nzero,c,0,1,0,1\nok,c,0,1,0,1\n";
        var result = Parse(csv, id => id switch
        {
            "abs" => new ResolvedImage("/data/abs.jpg", 4, 4),
            "zero" => new ResolvedImage("zero.jpg", 0, 4),
            _ => new ResolvedImage("ok.jpg", 4, 4),
        });
        Assert.Equal("ok-4", Assert.Single(result.Rows).InstanceId);
        Assert.Equal([(2, "ImageID"), (3, "ImageID")], result.Errors.Select(e => (e.Row, e.Field)));
    }
}
