using Segmentation.Masks;

namespace Segmentation.Tests;

public class DistanceTransformTests
{
    [Fact]
    public void MatchesBruteForceOnRandomMasks()
    {
        foreach (var mask in RandomMasks.Many(seed: 21, perSize: 10))
        {
            Assert.Equal(BruteForce(mask, source: true), DistanceTransform.SquaredDistanceTo(mask));
            Assert.Equal(BruteForce(mask, source: false), DistanceTransform.SquaredDistanceToOutside(mask));
        }
    }

    [Fact]
    public void SparseSourcesOnALargerImage()
    {
        // Few, far-apart sources make long parabola envelopes; values reach tens of thousands.
        var random = new Random(4);
        for (var n = 0; n < 3; n++)
        {
            var mask = new BinaryMask(157, 93);
            for (var k = 0; k < 1 + n * 3; k++) mask[random.Next(157), random.Next(93)] = true;
            Assert.Equal(BruteForce(mask, source: true), DistanceTransform.SquaredDistanceTo(mask));
        }
    }

    [Fact]
    public void ExactOnVeryWideImages()
    {
        // Past 4096 pixels, q^2 is no longer exact in single precision; the envelope must not care.
        var random = new Random(17);
        for (var n = 0; n < 4; n++)
        {
            var mask = new BinaryMask(6007, 3);
            for (var k = 0; k < 40; k++) mask[random.Next(mask.Width), random.Next(mask.Height)] = true;
            Assert.Equal(BruteForce(mask, source: true), DistanceTransform.SquaredDistanceTo(mask));
        }
    }

    [Fact]
    public void EmptyAndFullMasks()
    {
        var empty = new BinaryMask(7, 3);
        Assert.All(DistanceTransform.SquaredDistanceTo(empty), d => Assert.True(float.IsPositiveInfinity(d)));
        Assert.All(DistanceTransform.SquaredDistanceToOutside(empty), d => Assert.Equal(0f, d));

        var full = empty.Not();
        Assert.All(DistanceTransform.SquaredDistanceTo(full), d => Assert.Equal(0f, d));
        Assert.All(DistanceTransform.SquaredDistanceToOutside(full), d => Assert.True(float.IsPositiveInfinity(d)));

        Assert.Empty(DistanceTransform.SquaredDistanceTo(new BinaryMask(0, 5)));
    }

    [Fact]
    public void SinglePixelGivesSquaredEuclideanDistance()
    {
        var mask = BinaryMask.FromPredicate(5, 4, (x, y) => x == 1 && y == 2);
        var d = DistanceTransform.SquaredDistanceTo(mask);
        Assert.Equal(0f, d[2 * 5 + 1]);
        Assert.Equal(9f + 4f, d[0 * 5 + 4]); // (4,0): dx 3, dy 2
        Assert.Equal(1f + 1f, d[3 * 5 + 0]); // (0,3)
    }

    private static float[] BruteForce(BinaryMask mask, bool source)
    {
        var sources = new List<(int U, int V)>();
        for (var v = 0; v < mask.Height; v++)
            for (var u = 0; u < mask.Width; u++)
                if (mask[u, v] == source) sources.Add((u, v));
        var result = new float[mask.Width * mask.Height];
        for (var y = 0; y < mask.Height; y++)
            for (var x = 0; x < mask.Width; x++)
            {
                var best = long.MaxValue;
                foreach (var (u, v) in sources)
                    best = Math.Min(best, (long)(u - x) * (u - x) + (long)(v - y) * (v - y));
                result[y * mask.Width + x] = best == long.MaxValue ? float.PositiveInfinity : best;
            }
        return result;
    }
}
