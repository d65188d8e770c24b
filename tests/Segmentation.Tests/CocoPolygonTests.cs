using Segmentation.Masks;

namespace Segmentation.Tests;

public class CocoPolygonTests
{
    [Fact]
    public void AxisAlignedRectangleHandWorked()
    {
        // Rectangle x 1..4, y 1..3 in a 6 (w) x 5 (h) image. Upsampled by 5 the top edge walks u = 5..20 at
        // v = 5; its column crossings u-1 = 7, 12, 17 map back to image columns 1, 2, 3 with row
        // ceil(5.5/5 - 0.5) = 1. The bottom edge (walked right to left) crosses at u = 17, 12, 7 with row
        // ceil(15.5/5 - 0.5) = 3. Toggles x*h+y: 6, 11, 16, 8, 13, 18, closed with h*w = 30.
        double[] polygon = [1, 1, 4, 1, 4, 3, 1, 3];
        var counts = CocoPolygon.PolygonCounts(polygon, height: 5, width: 6);
        Assert.Equal([6u, 2u, 3u, 2u, 3u, 2u, 12u], counts);
        Assert.Equal("6230009", CocoRle.EncodeString(counts));

        var mask = CocoPolygon.Rasterize(polygon, 5, 6);
        var expected = RandomMasks.Parse(
            "......",
            ".###..",
            ".###..",
            "......",
            "......");
        Assert.Equal(expected, mask);
        Assert.Equal(6, mask.Area());
    }

    [Fact]
    public void DiagonalEdgeHandWorked()
    {
        // Triangle (0,0), (3,0), (0,3) in a 4x4 image. Upsampled: the top edge u = 0..15 at v = 0 crosses
        // image columns 0, 1, 2 at row 0. The hypotenuse is flipped and walked as u = t, v = 15 - t; going
        // left it crosses u = 12 (v 3 from 2 -> row ceil(2.5/5 - 0.5) = 0), u = 7 (row 1) and u = 2 (row 2).
        // Toggles x*4+y: 0, 4, 8, 8, 5, 2 and 16 -> sorted differences 0,2,2,1,3,0,8 -> the zero merges
        // the last two runs: 0,2,2,1,11. Centres on the hypotenuse ((1.5,1.5), (2.5,0.5)) stay outside.
        var counts = CocoPolygon.PolygonCounts([0, 0, 3, 0, 0, 3], 4, 4);
        Assert.Equal([0u, 2u, 2u, 1u, 11u], counts);
        Assert.Equal("022O9", CocoRle.EncodeString(counts));
        Assert.Equal(RandomMasks.Parse(
            "##..",
            "#...",
            "....",
            "...."), CocoPolygon.Rasterize([0, 0, 3, 0, 0, 3], 4, 4));

        // The same with legs of 2 in a 3x3 image: toggles 0, 3, 3, 1 and 9 -> 0,1,8: only pixel (0,0).
        Assert.Equal([0u, 1u, 8u], CocoPolygon.PolygonCounts([0, 0, 2, 0, 0, 2], 3, 3));
    }

    [Fact]
    public void VertexOrderDoesNotMatter()
    {
        double[] clockwise = [1, 1, 4, 1, 4, 3, 1, 3];
        double[] counterClockwise = [1, 3, 4, 3, 4, 1, 1, 1];
        double[] rotatedStart = [4, 3, 1, 3, 1, 1, 4, 1];
        var expected = CocoPolygon.PolygonCounts(clockwise, 5, 6);
        Assert.Equal(expected, CocoPolygon.PolygonCounts(counterClockwise, 5, 6));
        Assert.Equal(expected, CocoPolygon.PolygonCounts(rotatedStart, 5, 6));
    }

    [Fact]
    public void FractionalRectangleCoversPixelsWhoseCentresAreInside()
    {
        // Centres 0.5, 1.5, 2.5 lie inside [0.4, 2.6]; 3.5 does not.
        var mask = CocoPolygon.Rasterize([0.4, 0.4, 2.6, 0.4, 2.6, 2.6, 0.4, 2.6], 5, 5);
        Assert.Equal(BinaryMask.FromPredicate(5, 5, (x, y) => x < 3 && y < 3), mask);
    }

    [Fact]
    public void RandomRectanglesMatchCentreInsideRule()
    {
        // On the 1/5-pixel grid the upsampling is exact, and frPoly then sets exactly the pixels whose
        // centres lie inside the rectangle, with clipping at the image border.
        var random = new Random(11);
        for (var n = 0; n < 300; n++)
        {
            int w = random.Next(1, 25), h = random.Next(1, 25);
            double Coordinate(int size) => random.Next(-15, 5 * size + 15) / 5.0;
            double x0 = Coordinate(w), x1 = Coordinate(w), y0 = Coordinate(h), y1 = Coordinate(h);
            var box = new BoxF(x0, y0, x1, y1).Normalized();
            var expected = Raster.FillBox(w, h, box);
            var actual = CocoPolygon.Rasterize([box.X0, box.Y0, box.X1, box.Y0, box.X1, box.Y1, box.X0, box.Y1], h, w);
            Assert.True(expected.Equals(actual), $"rectangle {box} in {w}x{h}");
            Assert.Equal(expected, CocoPolygon.RasterizeBox(box.X0, box.Y0, box.Width, box.Height, h, w));
        }
    }

    [Fact]
    public void TriangleAreaIsCloseToPolygonArea()
    {
        // Right triangle with legs 40 and 30: area 600.
        double[] triangle = [5, 5, 45, 5, 5, 35];
        var mask = CocoPolygon.Rasterize(triangle, 50, 50);
        Assert.InRange(mask.Area(), 600 - 30, 600 + 30);

        // Pixels clearly inside or clearly outside (centre more than a pixel from every edge) agree with
        // the exact point-in-triangle test.
        for (var y = 0; y < 50; y++)
        {
            for (var x = 0; x < 50; x++)
            {
                double cx = x + 0.5, cy = y + 0.5;
                var d1 = cy - 5; // top edge y = 5
                var d2 = cx - 5; // left edge x = 5
                var d3 = (1 - (cx - 5) / 40 - (cy - 5) / 30) * 24; // hypotenuse, scaled to pixels (40*30/50)
                var margin = Math.Min(d1, Math.Min(d2, d3));
                if (margin > 1) Assert.True(mask[x, y], $"({x},{y}) inside");
                if (margin < -1) Assert.False(mask[x, y], $"({x},{y}) outside");
            }
        }
    }

    [Fact]
    public void SeveralPolygonsAreUnited()
    {
        double[] left = [0, 0, 2, 0, 2, 2, 0, 2];
        double[] overlapping = [1, 1, 3, 1, 3, 3, 1, 3];
        var mask = CocoPolygon.Rasterize([left, overlapping], 4, 4);
        Assert.Equal(RandomMasks.Parse(
            "##..",
            "###.",
            ".##.",
            "...."), mask);
    }

    [Fact]
    public void PolygonOutsideTheImageIsEmpty()
    {
        Assert.True(CocoPolygon.Rasterize([20, 20, 30, 20, 30, 30], 10, 10).IsEmpty);
        Assert.True(CocoPolygon.Rasterize([-9, -9, -2, -9, -2, -2], 10, 10).IsEmpty);
        Assert.Equal([100u], CocoPolygon.PolygonCounts([], 10, 10));
    }

    [Fact]
    public void PolygonLargerThanTheImageFillsIt()
    {
        var mask = CocoPolygon.Rasterize([-5, -5, 20, -5, 20, 20, -5, 20], 7, 9);
        Assert.Equal(63, mask.Area());
    }

    [Fact]
    public void RepeatedVerticesAreHarmless()
    {
        double[] withRepeats = [1, 1, 1, 1, 4, 1, 4, 3, 4, 3, 1, 3];
        Assert.Equal(CocoPolygon.PolygonCounts([1, 1, 4, 1, 4, 3, 1, 3], 5, 6), CocoPolygon.PolygonCounts(withRepeats, 5, 6));
    }

    [Fact]
    public void InvalidInputIsRejected()
    {
        Assert.Throws<ArgumentException>(() => CocoPolygon.Rasterize([1, 2, 3], 5, 5));
        Assert.Throws<ArgumentException>(() => CocoPolygon.Rasterize([1, 2, double.NaN, 4, 5, 6], 5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => CocoPolygon.Rasterize([1, 2, 3, 4, 5, 6], -1, 5));
    }
}
