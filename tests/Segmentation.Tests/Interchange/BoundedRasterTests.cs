using Segmentation.Masks;

namespace Segmentation.Tests.Interchange;

public class BoundedRasterTests
{
    /// <summary>Random polygons: inside the image, reaching outside it, tiny, degenerate and self-intersecting.</summary>
    private static IEnumerable<(double[] Xy, int Height, int Width)> Polygons(int seed, int count)
    {
        var random = new Random(seed);
        for (var n = 0; n < count; n++)
        {
            var height = random.Next(1, 40);
            var width = random.Next(1, 40);
            var points = random.Next(3, 12);
            var spread = random.Next(4) switch { 0 => 0.2, 1 => 1.0, 2 => 1.6, _ => 4.0 };
            var xy = new double[2 * points];
            for (var i = 0; i < points; i++)
            {
                var snap = random.Next(3) == 0;
                var x = (random.NextDouble() * spread - (spread - 1) / 2) * width;
                var y = (random.NextDouble() * spread - (spread - 1) / 2) * height;
                xy[2 * i] = snap ? Math.Round(x * 2) / 2 : x;
                xy[2 * i + 1] = snap ? Math.Round(y * 2) / 2 : y;
            }
            if (random.Next(10) == 0) xy[2] = xy[0]; // a repeated vertex
            yield return (xy, height, width);
        }
    }

    [Fact]
    public void BoundedPolygonCountsEqualPycocotoolsPort()
    {
        var nonEmpty = 0;
        foreach (var (xy, height, width) in Polygons(seed: 7, count: 3000))
        {
            var expected = CocoPolygon.PolygonCounts(xy, height, width);
            var actual = BoundedCocoPolygon.Counts(xy, height, width, maxCounts: int.MaxValue);
            Assert.True(expected.SequenceEqual(actual!),
                $"{width}x{height} [{string.Join(", ", xy)}]: expected [{string.Join(",", expected)}], got [{string.Join(",", actual!)}]");
            if (CocoRle.Area(expected) > 0) nonEmpty++;
        }
        Assert.True(nonEmpty > 1000, $"only {nonEmpty} polygons covered a pixel");
    }

    [Fact]
    public void HandWorkedPolygonsAgree()
    {
        Assert.Equal([6u, 2u, 3u, 2u, 3u, 2u, 12u], BoundedCocoPolygon.Counts([1, 1, 4, 1, 4, 3, 1, 3], 5, 6, 100)!);
        Assert.Equal([0u, 2u, 2u, 1u, 11u], BoundedCocoPolygon.Counts([0, 0, 3, 0, 0, 3], 4, 4, 100)!);
        Assert.Equal([16u], BoundedCocoPolygon.Counts([-9, -9, -5, -9, -5, -5], 4, 4, 100)!); // wholly outside
    }

    [Fact]
    public void SmallPolygonOnHugeImageAllocatesLittle()
    {
        double[] square = [40000, 40000, 40010, 40000, 40010, 40010, 40000, 40010];
        BoundedCocoPolygon.Counts(square, 46000, 46000, 1000); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var counts = BoundedCocoPolygon.Counts(square, 46000, 46000, 1000)!;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100, CocoRle.Area(counts));
        Assert.Equal(46000L * 46000, counts.Sum(c => (long)c));
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void CountsPastTheLimitGiveNull()
    {
        // Ten separate columns of pixels: about 21 runs.
        var stripes = BinaryMask.FromPredicate(20, 10, (x, _) => x % 2 == 0);
        Assert.Null(RleCounts.FromMask(stripes, 20));
        Assert.Equal(CocoRle.EncodeCounts(stripes), RleCounts.FromMask(stripes, 21));
        Assert.Null(BoundedCocoPolygon.Counts([0, 0, 20, 0, 20, 10, 0, 10], 10, 20, 1));
        Assert.NotNull(BoundedCocoPolygon.Counts([0, 0, 20, 0, 20, 10, 0, 10], 10, 20, 2)); // [0, 200]
    }

    [Fact]
    public void UnionAndCanonicalAgreeWithRasters()
    {
        var random = new Random(3);
        for (var n = 0; n < 300; n++)
        {
            int width = random.Next(1, 12), height = random.Next(1, 12);
            var a = BinaryMask.FromPredicate(width, height, (_, _) => random.Next(3) == 0);
            var b = BinaryMask.FromPredicate(width, height, (_, _) => random.Next(4) == 0);
            var union = BinaryMask.FromPredicate(width, height, (x, y) => a[x, y] || b[x, y]);
            var total = (long)width * height;
            Assert.Equal(CocoRle.EncodeCounts(union), RleCounts.Union(CocoRle.EncodeCounts(a), CocoRle.EncodeCounts(b), total, int.MaxValue));

            // Zero-length runs in the middle and at the end are dropped and their neighbours merged.
            var counts = CocoRle.EncodeCounts(a).ToList();
            var at = random.Next(1, counts.Count + 1);
            counts.InsertRange(at, [0u, 0u]);
            if (random.Next(2) == 0) counts.AddRange([0u, 0u]);
            Assert.Equal(CocoRle.EncodeCounts(a), RleCounts.Canonical(counts, total, int.MaxValue));
        }
    }
}
