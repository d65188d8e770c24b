using Segmentation.Evaluation.Datasets;
using Segmentation.Masks;

namespace Segmentation.Tests.Datasets;

public class PairedFolderDatasetTests
{
    private const int W = 37, H = 23;

    [Fact]
    public void PairsByBaseNameAndReportsUnpairedFiles()
    {
        using var temp = new TempFolder();
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        DatasetFiles.RgbPng(Path.Combine(images, "a.png"), W, H);
        DatasetFiles.GreyJpeg(Path.Combine(images, "b.JPG"), W, H);
        Assert.Equal(1, DatasetFiles.JpegComponents(Path.Combine(images, "b.JPG")));
        DatasetFiles.RgbPng(Path.Combine(images, "c.jpg"), W, H);
        File.WriteAllText(Path.Combine(images, "notes.txt"), "not an image");
        var maskA = DatasetFiles.Box(W, H, 3, 4, 20, 11);
        var maskB = DatasetFiles.Box(W, H, 0, 0, W, 1);
        DatasetFiles.Mask(Path.Combine(masks, "a.png"), maskA);
        DatasetFiles.Mask(Path.Combine(masks, "b.png"), maskB);
        DatasetFiles.Mask(Path.Combine(masks, "d.png"), maskB);
        File.WriteAllText(Path.Combine(masks, "readme.md"), "ignored");

        var dataset = PairedFolderDataset.Load(images, masks);

        Assert.Equal(["a", "b"], dataset.Instances.Select(i => i.Id));
        Assert.Equal(["c.jpg", "d.png"], dataset.Problems.Select(p => p.Item));
        Assert.Contains("no mask", dataset.Problems[0].Message);
        Assert.Contains("no image", dataset.Problems[1].Message);
        Assert.All(dataset.Instances, i => Assert.Null(i.Category));

        var a = dataset.Instances[0].Load();
        Assert.Equal(maskA, a.Truth.Mask);
        Assert.Null(a.Truth.Ignore);
        Assert.Equal((W, H), (a.Image.Width, a.Image.Height));

        // The greyscale JPEG is decoded as RGB with equal channels.
        var b = dataset.Instances[1].Load();
        Assert.Equal(Path.Combine(images, "b.JPG"), b.Instance.ImagePath);
        Assert.Equal(maskB, b.Truth.Mask);
        Assert.Equal(W * H * 3, b.Image.Pixels.Length);
        for (var x = 0; x < W; x++)
        {
            var (r, g, bl) = b.Image[x, 5];
            Assert.Equal(r, g);
            Assert.Equal(g, bl);
        }
        Assert.True(b.Image[W - 1, 5].R > b.Image[0, 5].R + 100);
    }

    [Fact]
    public void InstancesAreInOrdinalNameOrder()
    {
        using var temp = new TempFolder();
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        foreach (var name in new[] { "a", "B", "9", "10", "a_1" })
        {
            DatasetFiles.RgbPng(Path.Combine(images, name + ".png"), 5, 4);
            DatasetFiles.Mask(Path.Combine(masks, name + ".png"), DatasetFiles.Box(5, 4, 1, 1, 3, 3));
        }

        var dataset = PairedFolderDataset.Load(images, masks);

        Assert.Equal(["10", "9", "B", "a", "a_1"], dataset.Instances.Select(i => i.Id));
        Assert.Empty(dataset.Problems);
    }

    [Fact]
    public void MaskOfAnotherSizeIsReportedWithBothFilesAndSizes()
    {
        using var temp = new TempFolder();
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        DatasetFiles.RgbPng(Path.Combine(images, "e.png"), W, H);
        DatasetFiles.Mask(Path.Combine(masks, "e.png"), DatasetFiles.Box(H, W, 1, 1, 5, 5)); // transposed

        var instance = Assert.Single(PairedFolderDataset.Load(images, masks).Instances);

        foreach (var load in new Action[] { () => instance.LoadTruth(), () => instance.Load() })
        {
            var ex = Assert.Throws<DatasetItemException>(load);
            Assert.Equal("e", ex.Item);
            Assert.Contains(Path.Combine(images, "e.png"), ex.Message);
            Assert.Contains(Path.Combine(masks, "e.png"), ex.Message);
            Assert.Contains("23x37", ex.Message);
            Assert.Contains("37x23", ex.Message);
        }
    }

    [Fact]
    public void BrokenImageOrMaskFileIsReportedByNameWhenLoaded()
    {
        using var temp = new TempFolder();
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        var garbage = new byte[500];
        new Random(5).NextBytes(garbage);
        File.WriteAllBytes(Path.Combine(images, "x.jpg"), garbage);
        DatasetFiles.Mask(Path.Combine(masks, "x.png"), DatasetFiles.Box(W, H, 1, 1, 5, 5));
        DatasetFiles.RgbPng(Path.Combine(images, "y.png"), W, H);
        File.WriteAllBytes(Path.Combine(masks, "y.png"), garbage);
        DatasetFiles.RgbPng(Path.Combine(images, "z.png"), W, H);
        DatasetFiles.Mask(Path.Combine(masks, "z.png"), DatasetFiles.Box(W, H, 1, 1, 5, 5));

        var dataset = PairedFolderDataset.Load(images, masks);
        Assert.Equal(["x", "y", "z"], dataset.Instances.Select(i => i.Id));
        Assert.Empty(dataset.Problems); // files are only decoded when loaded

        // What an evaluation loop does: catch the item exception, report, go on.
        var loaded = new List<string>();
        var failed = new List<DatasetItemException>();
        foreach (var instance in dataset.Instances)
        {
            try
            {
                loaded.Add(instance.Load().Instance.Id);
            }
            catch (DatasetItemException ex)
            {
                failed.Add(ex);
            }
        }

        Assert.Equal(["z"], loaded);
        Assert.Equal(["x", "y"], failed.Select(f => f.Item));
        Assert.Contains("x.jpg", failed[0].Message);
        Assert.Contains("y.png", failed[1].Message);
        Assert.IsType<InvalidDataException>(failed[0].InnerException);
        Assert.Throws<DatasetItemException>(() => dataset.Instances[0].LoadTruth());
        Assert.Throws<DatasetItemException>(() => dataset.Instances[1].LoadTruth());
    }

    [Fact]
    public void FileDeletedAfterListingIsAnItemError()
    {
        using var temp = new TempFolder();
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        DatasetFiles.RgbPng(Path.Combine(images, "a.png"), W, H);
        DatasetFiles.Mask(Path.Combine(masks, "a.png"), DatasetFiles.Box(W, H, 1, 1, 5, 5));
        var instance = Assert.Single(PairedFolderDataset.Load(images, masks).Instances);
        File.Delete(Path.Combine(masks, "a.png"));

        var ex = Assert.Throws<DatasetItemException>(() => instance.Load());
        Assert.Equal("a", ex.Item);
        Assert.IsType<FileNotFoundException>(ex.InnerException);
    }

    [Fact]
    public void IgnoreValueFormsTheIgnoreBand()
    {
        using var temp = new TempFolder();
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        var inner = DatasetFiles.Box(W, H, 10, 5, 20, 15);
        var outer = DatasetFiles.Box(W, H, 8, 3, 22, 17);
        var band = outer.AndNot(inner);
        DatasetFiles.RgbPng(Path.Combine(images, "f.webp.png"), W, H); // base name "f.webp"
        DatasetFiles.GreyPng(Path.Combine(masks, "f.webp.png"), W, H, (x, y) => inner[x, y] ? (byte)255 : band[x, y] ? (byte)128 : (byte)0);

        var truth = Assert.Single(PairedFolderDataset.Load(images, masks, ignoreValue: 128).Instances).LoadTruth();
        Assert.Equal(inner, truth.Mask);
        Assert.Equal(band, truth.Ignore);

        var plain = Assert.Single(PairedFolderDataset.Load(images, masks).Instances).LoadTruth();
        Assert.Equal(outer, plain.Mask);
        Assert.Null(plain.Ignore);

        // An ignore value that does not occur gives no ignore mask.
        Assert.Null(Assert.Single(PairedFolderDataset.Load(images, masks, ignoreValue: 7).Instances).LoadTruth().Ignore);
    }

    [Fact]
    public void MaskWithoutObjectPixelsIsAnItemError()
    {
        using var temp = new TempFolder();
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        DatasetFiles.RgbPng(Path.Combine(images, "g.png"), W, H);
        DatasetFiles.GreyPng(Path.Combine(masks, "g.png"), W, H, (x, _) => x < 3 ? (byte)128 : (byte)0);

        var instance = Assert.Single(PairedFolderDataset.Load(images, masks, ignoreValue: 128).Instances);
        var ex = Assert.Throws<DatasetItemException>(() => instance.LoadTruth());
        Assert.Contains("no object pixels", ex.Message);
    }

    [Fact]
    public void AmbiguousNamesAreReportedAndPngMaskIsPreferred()
    {
        using var temp = new TempFolder();
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        DatasetFiles.RgbPng(Path.Combine(images, "h.jpeg"), W, H);
        DatasetFiles.RgbPng(Path.Combine(images, "h.png"), W, H);
        DatasetFiles.Mask(Path.Combine(masks, "h.png"), DatasetFiles.Box(W, H, 1, 1, 5, 5));
        DatasetFiles.RgbPng(Path.Combine(images, "k.bmp.jpg"), W, H);
        var k = DatasetFiles.Box(W, H, 2, 2, 9, 9);
        DatasetFiles.Mask(Path.Combine(masks, "k.bmp.PNG"), k);
        File.Copy(Path.Combine(masks, "k.bmp.PNG"), Path.Combine(masks, "k.bmp.webp")); // other candidates lose to the one .png
        File.WriteAllBytes(Path.Combine(masks, "k.bmp.bmp"), [1, 2, 3]);

        var dataset = PairedFolderDataset.Load(images, masks);

        Assert.Equal(["h.jpeg", "h.png"], dataset.Problems.Select(p => p.Item));
        var instance = Assert.Single(dataset.Instances);
        Assert.Equal("k.bmp", instance.Id);
        Assert.Equal(Path.Combine(masks, "k.bmp.PNG"), instance.TruthSource);
        Assert.Equal(k, instance.LoadTruth().Mask);
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        using var temp = new TempFolder();
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedFolderDataset.Load(images, masks, ignoreValue: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedFolderDataset.Load(images, masks, ignoreValue: 256));
        Assert.Throws<ArgumentException>(() => PairedFolderDataset.Load(images, images + Path.DirectorySeparatorChar));
        Assert.Throws<DirectoryNotFoundException>(() => PairedFolderDataset.Load(Path.Combine(temp.Path, "none"), masks));
        Assert.Throws<DirectoryNotFoundException>(() => PairedFolderDataset.Load(images, Path.Combine(temp.Path, "none")));
    }

    [Fact]
    public void DavisDevSetLoads()
    {
        var davis = TestData.DavisDirectory;
        var dataset = PairedFolderDataset.Load(Path.Combine(davis, "img"), Path.Combine(davis, "gt"));

        Assert.Empty(dataset.Problems);
        Assert.Equal(345, dataset.Instances.Count);
        Assert.Equal("000", dataset.Instances[0].Id);
        Assert.Equal("344", dataset.Instances[^1].Id);
        Assert.Equal(TestData.DavisImage(0), dataset.Instances[0].ImagePath);

        var first = dataset.Instances[0].Load();
        Assert.True(first.Truth.Mask.Area() > 0);
        Assert.Equal((first.Image.Width, first.Image.Height), (first.Truth.Mask.Width, first.Truth.Mask.Height));

        // A spread-out sample decodes with matching sizes.
        foreach (var instance in DatasetSubset.EveryNth(dataset.Instances, 50))
            Assert.True(instance.LoadTruth().Mask.Area() > 0, instance.Id);
    }
}
