using Segmentation.Masks;

namespace Segmentation.Tests;

public class MaskOpsTests
{
    private static readonly BinaryMask Sample = RandomMasks.Parse(
        "#..#",
        ".##.",
        "...#");

    [Fact]
    public void CropInside()
    {
        Assert.Equal(RandomMasks.Parse(
            ".#",
            "#.",
            ".#"), MaskOps.Crop(Sample, new PixelRect(2, 0, 2, 3)));
    }

    [Fact]
    public void CropOutOfBoundsAreaIsZero()
    {
        Assert.Equal(RandomMasks.Parse(
            "....",
            "..#.",
            "...#",
            "...."), MaskOps.Crop(Sample, new PixelRect(-2, -1, 4, 4)));
        Assert.Equal(RandomMasks.Parse(
            "#..",
            "...",
            "..."), MaskOps.Crop(Sample, new PixelRect(3, 2, 3, 3)));
        Assert.True(MaskOps.Crop(Sample, new PixelRect(10, 10, 2, 2)).IsEmpty);
        Assert.True(MaskOps.Crop(Sample, new PixelRect(-5, 0, 3, 3)).IsEmpty);
        Assert.Equal((0, 0), (MaskOps.Crop(Sample, new PixelRect(1, 1, 0, 0)).Width, MaskOps.Crop(Sample, new PixelRect(1, 1, 0, 0)).Height));
        Assert.Throws<ArgumentOutOfRangeException>(() => MaskOps.Crop(Sample, new PixelRect(0, 0, -1, 2)));
    }

    [Fact]
    public void CropThenPasteRestores()
    {
        var random = new Random(2);
        foreach (var mask in RandomMasks.Many(seed: 4, perSize: 3))
        {
            var rect = new PixelRect(random.Next(-3, mask.Width), random.Next(-3, mask.Height), random.Next(0, 8), random.Next(0, 8));
            var crop = MaskOps.Crop(mask, rect);
            var target = mask.Not();
            MaskOps.Paste(target, crop, rect.X, rect.Y);
            for (var y = 0; y < mask.Height; y++)
                for (var x = 0; x < mask.Width; x++)
                {
                    var inside = x >= rect.X && x < rect.Right && y >= rect.Y && y < rect.Bottom;
                    Assert.Equal(inside ? mask[x, y] : !mask[x, y], target[x, y]);
                }
        }
    }

    [Fact]
    public void PasteIsClippedAndOverwrites()
    {
        var target = new BinaryMask(4, 3).Not();
        var source = RandomMasks.Parse(
            "#.",
            ".#");
        // Only source pixel (0, 1), a background pixel, lands inside: on (3, 0).
        MaskOps.Paste(target, source, 3, -1);
        Assert.Equal(RandomMasks.Parse(
            "###.",
            "####",
            "####"), target);
    }

    [Fact]
    public void PasteWritesBackgroundToo()
    {
        var target = new BinaryMask(4, 3).Not();
        var source = RandomMasks.Parse(
            "#.",
            ".#");
        MaskOps.Paste(target, source, -1, 1);
        // Source (1, 0) (background) lands on (0, 1), source (1, 1) (object) on (0, 2).
        Assert.Equal(RandomMasks.Parse(
            "####",
            ".###",
            "####"), target);
        MaskOps.Paste(target, source, 100, 100); // entirely outside: no effect
        MaskOps.Paste(target, source, -100, 0);
        Assert.Equal(11, target.Area());
    }

    [Fact]
    public void ResizeNearestUpscalesToBlocks()
    {
        var big = MaskOps.ResizeNearest(Sample, 8, 6);
        for (var y = 0; y < 6; y++)
            for (var x = 0; x < 8; x++)
                Assert.Equal(Sample[x / 2, y / 2], big[x, y]);
    }

    [Fact]
    public void ResizeNearestDownscaleSamplesPixelCentres()
    {
        // 4 -> 2 columns: destination centres 0.5 and 1.5 map to source 1.0 and 3.0 -> columns 1 and 3.
        var mask = RandomMasks.Parse(
            ".#.#",
            "#.#.");
        Assert.Equal(RandomMasks.Parse(
            "##",
            ".."), MaskOps.ResizeNearest(mask, 2, 2));
        Assert.Equal(mask, MaskOps.ResizeNearest(mask, 4, 2));
        // 3 -> 2: floor(0.5 * 1.5) = 0, floor(1.5 * 1.5) = 2.
        Assert.Equal(RandomMasks.Parse("#."), MaskOps.ResizeNearest(RandomMasks.Parse("#.."), 2, 1));
        Assert.Equal(RandomMasks.Parse(".#"), MaskOps.ResizeNearest(RandomMasks.Parse("..#"), 2, 1));
        Assert.Equal(0, MaskOps.ResizeNearest(mask, 0, 5).Width);
    }

    [Fact]
    public void ResizeBilinearMatchesHalfPixelConvention()
    {
        // torch.nn.functional.interpolate([[0,1],[2,3]], size=(4,4), mode="bilinear", align_corners=False)
        float[] src = [0, 1, 2, 3];
        float[] expected =
        [
            0.0f, 0.25f, 0.75f, 1.0f,
            0.5f, 0.75f, 1.25f, 1.5f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2.0f, 2.25f, 2.75f, 3.0f,
        ];
        AssertClose(expected, MaskOps.ResizeBilinear(src, 2, 2, 4, 4));
    }

    [Fact]
    public void ResizeBilinearOneDimensionalCases()
    {
        // Downscale 4 -> 2: source positions 0.5 and 2.5.
        AssertClose([0.5f, 2.5f], MaskOps.ResizeBilinear([0, 1, 2, 3], 4, 1, 2, 1));
        // 3 -> 2: positions 0.25 and 1.75.
        AssertClose([2.5f, 17.5f], MaskOps.ResizeBilinear([0, 10, 20], 3, 1, 2, 1));
        // 3 -> 5: positions -0.2 (clamped to 0), 0.4, 1.0, 1.6, 2.2 (clamped to the last pixel).
        AssertClose([0f, 4f, 10f, 16f, 20f], MaskOps.ResizeBilinear([0, 10, 20], 3, 1, 5, 1));
        // Vertical works the same way.
        AssertClose([0f, 4f, 10f, 16f, 20f], MaskOps.ResizeBilinear([0, 10, 20], 1, 3, 1, 5));
        // 1 -> n replicates.
        AssertClose([7f, 7f, 7f], MaskOps.ResizeBilinear([7], 1, 1, 3, 1));
    }

    [Fact]
    public void ResizeBilinearIdentityAndConstant()
    {
        var random = new Random(9);
        var src = new float[7 * 5];
        for (var i = 0; i < src.Length; i++) src[i] = (float)(random.NextDouble() * 20 - 10);
        AssertClose(src, MaskOps.ResizeBilinear(src, 7, 5, 7, 5));

        var constant = Enumerable.Repeat(-3.5f, 6 * 4).ToArray();
        AssertClose(Enumerable.Repeat(-3.5f, 13 * 9).ToArray(), MaskOps.ResizeBilinear(constant, 6, 4, 13, 9));
        Assert.Throws<ArgumentException>(() => MaskOps.ResizeBilinear(src, 5, 5, 2, 2));
    }

    [Fact]
    public void ResizeBilinearPreservesLinearRamps()
    {
        // A ramp f(x) = x in source pixel coordinates becomes (x + 0.5) * s - 0.5 away from the clamped borders.
        const int sw = 16, dw = 40;
        var src = Enumerable.Range(0, sw).Select(i => (float)i).ToArray();
        var dst = MaskOps.ResizeBilinear(src, sw, 1, dw, 1);
        var scale = (double)sw / dw;
        for (var x = 2; x < dw - 2; x++) Assert.Equal((x + 0.5) * scale - 0.5, dst[x], 4);
    }

    [Fact]
    public void ThresholdIsStrict()
    {
        var mask = MaskOps.Threshold([-1f, 0f, 0.001f, float.NaN, 5f, float.PositiveInfinity], 3, 2, 0f);
        Assert.Equal(RandomMasks.Parse("..#", ".##"), mask);
        Assert.Throws<ArgumentException>(() => MaskOps.Threshold([1f], 2, 2, 0f));
    }

    [Fact]
    public void DilateAndErodeMatchBruteForce()
    {
        var random = new Random(8);
        foreach (var mask in RandomMasks.Many(seed: 6, perSize: 4))
        {
            var radius = random.Next(0, 9) * 0.75;
            Assert.Equal(BruteDilate(mask, radius), MaskOps.Dilate(mask, radius));
            Assert.Equal(BruteErode(mask, radius, border: false), MaskOps.Erode(mask, radius));
            Assert.Equal(BruteErode(mask, radius, border: true), MaskOps.Erode(mask, radius, borderIsBackground: true));
        }
    }

    [Fact]
    public void DilateSinglePixelMakesDisk()
    {
        var point = BinaryMask.FromPredicate(9, 9, (x, y) => x == 4 && y == 4);
        var disk = MaskOps.Dilate(point, 2);
        // Offsets with dx^2 + dy^2 <= 4: the centre, 4 at distance 1, 4 at sqrt(2) and 4 at distance 2.
        Assert.Equal(13, disk.Area());
        Assert.Equal(point, MaskOps.Dilate(point, 0));
        Assert.True(MaskOps.Dilate(new BinaryMask(4, 4), 3).IsEmpty);
        Assert.Throws<ArgumentOutOfRangeException>(() => MaskOps.Dilate(point, -1));
    }

    [Fact]
    public void ErodeAtImageBorder()
    {
        var full = new BinaryMask(5, 5).Not();
        Assert.Equal(full, MaskOps.Erode(full, 3));
        // With the border as background, radius 1 removes the outer ring, radius 2 leaves the centre.
        Assert.Equal(9, MaskOps.Erode(full, 1, borderIsBackground: true).Area());
        Assert.Equal(1, MaskOps.Erode(full, 2, borderIsBackground: true).Area());
        Assert.True(MaskOps.Erode(full, 3, borderIsBackground: true).IsEmpty);
    }

    private static BinaryMask BruteDilate(BinaryMask mask, double radius) =>
        BinaryMask.FromPredicate(mask.Width, mask.Height, (x, y) =>
        {
            for (var v = 0; v < mask.Height; v++)
                for (var u = 0; u < mask.Width; u++)
                    if (mask[u, v] && (u - x) * (u - x) + (v - y) * (v - y) <= radius * radius) return true;
            return false;
        });

    /// <summary>Object pixels with no background pixel within the radius; with <paramref name="border"/> the mask is padded by a ring of background.</summary>
    private static BinaryMask BruteErode(BinaryMask mask, double radius, bool border) =>
        BinaryMask.FromPredicate(mask.Width, mask.Height, (x, y) =>
        {
            if (!mask[x, y]) return false;
            var pad = border ? 1 : 0;
            for (var v = -pad; v < mask.Height + pad; v++)
                for (var u = -pad; u < mask.Width + pad; u++)
                {
                    var background = !mask.Contains(u, v) || !mask[u, v];
                    if (background && (u - x) * (u - x) + (v - y) * (v - y) <= radius * radius) return false;
                }
            return true;
        });

    private static void AssertClose(float[] expected, float[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"index {i}: expected {expected[i]}, got {actual[i]}");
    }
}
