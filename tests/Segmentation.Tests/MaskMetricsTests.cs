using Segmentation.Masks;

namespace Segmentation.Tests;

public class MaskMetricsTests
{
    /// <summary>A 5x5 square with its top-left pixel at (x, y) in a 20x20 image.</summary>
    private static BinaryMask Square(int x, int y, int size = 5) =>
        BinaryMask.FromPredicate(20, 20, (px, py) => px >= x && px < x + size && py >= y && py < y + size);

    [Fact]
    public void IoUOfOffsetSquares()
    {
        // Columns 5..9 and 8..12 over rows 5..9: intersection 2x5 = 10, union 25 + 25 - 10 = 40.
        Assert.Equal(0.25, MaskMetrics.IoU(Square(8, 5), Square(5, 5)), 12);
        Assert.Equal(1.0, MaskMetrics.IoU(Square(5, 5), Square(5, 5)));
        Assert.Equal(0.0, MaskMetrics.IoU(Square(0, 0), Square(10, 10)));
    }

    [Fact]
    public void IoUIgnoresPixelsInTheIgnoreMask()
    {
        // Ignoring columns >= 10 drops the prediction's three private columns: 10 / 25.
        var ignore = BinaryMask.FromPredicate(20, 20, (x, _) => x >= 10);
        Assert.Equal(0.4, MaskMetrics.IoU(Square(8, 5), Square(5, 5), ignore), 12);
        // Ignoring the intersection leaves 0 / 30.
        var ignoreOverlap = BinaryMask.FromPredicate(20, 20, (x, _) => x is 8 or 9);
        Assert.Equal(0.0, MaskMetrics.IoU(Square(8, 5), Square(5, 5), ignoreOverlap));
    }

    [Fact]
    public void IoUOfEmptyUnionIsOne()
    {
        var empty = new BinaryMask(20, 20);
        Assert.Equal(1.0, MaskMetrics.IoU(empty, empty));
        Assert.Equal(0.0, MaskMetrics.IoU(empty, Square(1, 1)));
        Assert.Equal(0.0, MaskMetrics.IoU(Square(1, 1), empty));
        var everything = new BinaryMask(20, 20).Not();
        Assert.Equal(1.0, MaskMetrics.IoU(Square(1, 1), Square(9, 9), everything));
    }

    [Fact]
    public void IoURejectsDifferentSizes()
    {
        Assert.Throws<ArgumentException>(() => MaskMetrics.IoU(new BinaryMask(3, 4), new BinaryMask(4, 3)));
        Assert.Throws<ArgumentException>(() => MaskMetrics.IoU(new BinaryMask(3, 4), new BinaryMask(3, 4), new BinaryMask(3, 3)));
    }

    [Fact]
    public void BoundaryIsObjectPixelsWithBackgroundFourNeighbour()
    {
        var square = Square(5, 5);
        var boundary = MaskMetrics.Boundary(square);
        Assert.Equal(16, boundary.Area());
        Assert.False(boundary[7, 7]);
        Assert.True(boundary[5, 7]);
        Assert.True(boundary[9, 9]);

        // The image border does not make a boundary: a full mask has none, a corner square only its inner sides.
        Assert.True(MaskMetrics.Boundary(new BinaryMask(6, 6).Not()).IsEmpty);
        Assert.Equal(RandomMasks.Parse(
            "..#...",
            "..#...",
            "###...",
            "......"), MaskMetrics.Boundary(RandomMasks.Parse(
            "###...",
            "###...",
            "###...",
            "......")));

        // Diagonal-only contact with the background does not count (4-neighbourhood).
        var plus = RandomMasks.Parse(
            "###",
            "###",
            "###",
            "##.");
        Assert.False(MaskMetrics.Boundary(plus)[1, 2]);
        Assert.True(MaskMetrics.Boundary(plus)[2, 2]);
        Assert.True(MaskMetrics.Boundary(plus)[1, 3]);
    }

    [Fact]
    public void BoundaryFOfMaskWithItselfIsOne()
    {
        Assert.Equal(1.0, MaskMetrics.BoundaryFMeasure(Square(5, 5), Square(5, 5)));
        Assert.Equal(1.0, MaskMetrics.BoundaryFMeasure(Square(5, 5), Square(5, 5), tolerancePx: 0));
    }

    [Fact]
    public void BoundaryFOfShiftedSquare()
    {
        var truth = Square(5, 5);
        var shifted = Square(8, 5);
        Assert.Equal(1.0, MaskMetrics.BoundaryFMeasure(shifted, truth, tolerancePx: 5));
        Assert.Equal(1.0, MaskMetrics.BoundaryFMeasure(shifted, truth, tolerancePx: 3));
        // Tolerance 1: of the shifted ring's 16 pixels, rows 5 and 9 at x = 8, 9, 10 (3 + 3) and column 8
        // rows 6..8 (3) are within 1 of the true ring; x = 11, 12 and column 12 are not. P = R = 9/16.
        Assert.Equal(9.0 / 16, MaskMetrics.BoundaryFMeasure(shifted, truth, tolerancePx: 1), 12);
        // Tolerance 0: only the coinciding pixels (x = 8, 9 on rows 5 and 9) match. P = R = 4/16.
        Assert.Equal(4.0 / 16, MaskMetrics.BoundaryFMeasure(shifted, truth, tolerancePx: 0), 12);
        // Tolerance 2.9 < 3: column 12 is 3 away, x = 11 is 2 away: 9 + 2 = 11 of 16.
        Assert.Equal(11.0 / 16, MaskMetrics.BoundaryFMeasure(shifted, truth, tolerancePx: 2.9), 12);
    }

    [Fact]
    public void BoundaryFOfDistantSmallObjects()
    {
        // 2x2 squares at (2,2) and (14,2) in a 40x40 image: boundary pixels are 11..13 apart horizontally.
        var a = BinaryMask.FromPredicate(40, 40, (x, y) => x is 2 or 3 && y is 2 or 3);
        var b = BinaryMask.FromPredicate(40, 40, (x, y) => x is 14 or 15 && y is 2 or 3);
        Assert.Equal(0.0, MaskMetrics.BoundaryFMeasure(a, b, tolerancePx: 10));
        // Tolerance 11: only a's right column (x = 3) reaches b's left column (x = 14), and vice versa: 2/4.
        Assert.Equal(0.5, MaskMetrics.BoundaryFMeasure(a, b, tolerancePx: 11), 12);
        Assert.Equal(1.0, MaskMetrics.BoundaryFMeasure(a, b, tolerancePx: 13));
        Assert.Equal(1.0, MaskMetrics.BoundaryFMeasure(a, b, tolerancePx: double.PositiveInfinity));
    }

    [Fact]
    public void BoundaryFWithIgnoreRegion()
    {
        // Ignoring x >= 11 removes 7 unmatched predicted boundary pixels: P = 9/9, R = 9/16, F = 18/25.
        var ignore = BinaryMask.FromPredicate(20, 20, (x, _) => x >= 11);
        Assert.Equal(18.0 / 25, MaskMetrics.BoundaryFMeasure(Square(8, 5), Square(5, 5), 1, ignore), 12);
    }

    [Fact]
    public void BoundaryFOfEmptyMasks()
    {
        var empty = new BinaryMask(20, 20);
        Assert.Equal(1.0, MaskMetrics.BoundaryFMeasure(empty, empty));
        Assert.Equal(0.0, MaskMetrics.BoundaryFMeasure(empty, Square(3, 3)));
        Assert.Equal(0.0, MaskMetrics.BoundaryFMeasure(Square(3, 3), empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => MaskMetrics.BoundaryFMeasure(empty, empty, -1));
    }

    [Fact]
    public void BoundaryFMatchesBruteForceOnRandomMasks()
    {
        var random = new Random(5);
        foreach (var (w, h) in RandomMasks.Sizes.Where(s => s.Width * s.Height <= 1200))
        {
            for (var k = 0; k < 8; k++)
            {
                var a = RandomMasks.Next(random, w, h);
                var b = RandomMasks.Next(random, w, h);
                var ignore = random.Next(2) == 0 ? null : RandomMasks.Next(random, w, h);
                var tolerance = random.Next(4) * 1.5;
                Assert.Equal(BruteForceBoundaryF(a, b, tolerance, ignore), MaskMetrics.BoundaryFMeasure(a, b, tolerance, ignore), 12);
            }
        }
    }

    [Fact]
    public void MeanOfValues()
    {
        Assert.Equal(2.0, MaskMetrics.Mean([1.0, 2.0, 3.0]));
        Assert.True(double.IsNaN(MaskMetrics.Mean([])));
    }

    private static double BruteForceBoundaryF(BinaryMask prediction, BinaryMask truth, double tolerance, BinaryMask? ignore)
    {
        List<(int X, int Y)> Points(BinaryMask m)
        {
            var points = new List<(int, int)>();
            for (var y = 0; y < m.Height; y++)
                for (var x = 0; x < m.Width; x++)
                {
                    if (!m[x, y]) continue;
                    var edge = (x > 0 && !m[x - 1, y]) || (x < m.Width - 1 && !m[x + 1, y]) ||
                               (y > 0 && !m[x, y - 1]) || (y < m.Height - 1 && !m[x, y + 1]);
                    if (edge) points.Add((x, y));
                }
            return points;
        }

        var p = Points(prediction);
        var g = Points(truth);
        (int Matched, int Counted) Match(List<(int X, int Y)> from, List<(int X, int Y)> to)
        {
            var counted = from.Where(q => ignore is null || !ignore[q.X, q.Y]).ToList();
            var matched = counted.Count(q => to.Any(r => Math.Sqrt((q.X - r.X) * (q.X - r.X) + (q.Y - r.Y) * (q.Y - r.Y)) <= tolerance));
            return (matched, counted.Count);
        }

        var (pm, pc) = Match(p, g);
        var (gm, gc) = Match(g, p);
        if (pc == 0 && gc == 0) return 1;
        if (pc == 0 || gc == 0) return 0;
        double precision = (double)pm / pc, recall = (double)gm / gc;
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }
}
