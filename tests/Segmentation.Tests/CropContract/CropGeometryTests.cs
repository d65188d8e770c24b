using Segmentation.Masks;
using Segmentation.Models.CropContract;

namespace Segmentation.Tests.CropContract;

public class CropGeometryTests
{
    public static TheoryData<double, double, double, double> Boxes => new()
    {
        { 100, 50, 300, 150 },       // wide
        { 10, 20, 40, 220 },         // tall
        { 0, 0, 640, 480 },          // whole image
        { 600, 400, 640, 480 },      // touching the bottom-right corner
        { 0.3, 0.7, 2.1, 1.9 },      // tiny, fractional
        { -50, -80, 900, 700 },      // larger than the image
        { 320.25, 240.75, 320.5, 241 }, // smaller than MinBoxSide
    };

    [Theory]
    [MemberData(nameof(Boxes))]
    public void RoundTripIsExact(double x0, double y0, double x1, double y1)
    {
        var g = new CropGeometry(new BoxF(x0, y0, x1, y1), 640, 480, 513, 385);
        var rng = new Random(7);
        for (var k = 0; k < 200; k++)
        {
            var x = rng.NextDouble() * 1000 - 200;
            var y = rng.NextDouble() * 1000 - 200;
            var (u, v) = g.ImageToInput(x, y);
            var (x2, y2) = g.InputToImage(u, v);
            Assert.InRange(Math.Abs(x2 - x), 0, 1e-9);
            Assert.InRange(Math.Abs(y2 - y), 0, 1e-9);

            var (u2, v2) = g.ImageToInput(g.InputToImage(u, v).X, g.InputToImage(u, v).Y);
            Assert.InRange(Math.Abs(u2 - u), 0, 1e-9);
            Assert.InRange(Math.Abs(v2 - v), 0, 1e-9);
        }
    }

    [Fact]
    public void LongerSideSpansInnerSquareAndCentreMapsToInputCentre()
    {
        var wide = new CropGeometry(new BoxF(100, 50, 300, 150), 640, 480, 513, 385);
        var (u0, v0) = wide.ImageToInput(100, 50);
        var (u1, v1) = wide.ImageToInput(300, 150);
        Assert.Equal(64, u0, 9);           // (513 - 385) / 2
        Assert.Equal(449, u1, 9);          // 64 + 385
        Assert.Equal(256.5, (v0 + v1) / 2, 9);
        Assert.Equal(385.0 / 2, v1 - v0, 9); // aspect ratio kept: height is half the width
        Assert.Equal(385.0 / 200, wide.Scale, 12);
        var (cu, cv) = wide.ImageToInput(200, 100);
        Assert.Equal(256.5, cu, 9);
        Assert.Equal(256.5, cv, 9);

        var tall = new CropGeometry(new BoxF(10, 20, 40, 220), 640, 480, 513, 385);
        var b = tall.BoxInInput;
        Assert.Equal(64, b.Y0, 9);
        Assert.Equal(449, b.Y1, 9);
        Assert.Equal(385.0 * 30 / 200, b.Width, 9);
        Assert.True(b.X0 > 64 && b.X1 < 449);
    }

    [Fact]
    public void ConfigurableSizesAreHonoured()
    {
        var g = new CropGeometry(new BoxF(0, 0, 50, 50), 100, 100, 320, 256);
        Assert.Equal(32, g.BoxInInput.X0, 9);
        Assert.Equal(288, g.BoxInInput.X1, 9);
        Assert.Equal(new BoxF(-6.25, -6.25, 56.25, 56.25), Round(g.CoveredRegion));
    }

    [Fact]
    public void CoveredRegionIsTheInputSquareMappedBack()
    {
        var g = new CropGeometry(new BoxF(100, 50, 300, 150), 640, 480, 513, 385);
        var covered = g.CoveredRegion;
        var margin = 64 / g.Scale;
        Assert.Equal(100 - margin, covered.X0, 9);
        Assert.Equal(300 + margin, covered.X1, 9);
        Assert.Equal(513 / g.Scale, covered.Height, 9);
        Assert.Equal(covered.ClampTo(640, 480), g.CoveredImageRect);
    }

    [Theory]
    [MemberData(nameof(Boxes))]
    public void CoveredPixelsAgreeWithThePerPixelPredicate(double x0, double y0, double x1, double y1)
    {
        var g = new CropGeometry(new BoxF(x0, y0, x1, y1), 640, 480, 513, 385);
        var rect = g.CoveredPixels;
        for (var y = 0; y < 480; y += 1)
            for (var x = 0; x < 640; x += 1)
            {
                var inside = x >= rect.X && x < rect.Right && y >= rect.Y && y < rect.Bottom;
                if (inside != g.CoversPixel(x, y))
                    Assert.Fail($"Pixel ({x}, {y}): rect {rect} says {inside}, predicate says {!inside}.");
            }
    }

    [Fact]
    public void BoxAtImageEdgeLeavesPartOfTheInputOutsideTheImage()
    {
        var g = new CropGeometry(new BoxF(600, 400, 640, 480), 640, 480, 513, 385);
        Assert.True(g.InputPixelInsideImage(256, 256));
        Assert.False(g.InputPixelInsideImage(510, 510)); // beyond the bottom-right corner
        Assert.True(g.InputPixelInsideImage(10, 10));
        Assert.Equal(640, g.CoveredPixels.Right);
        Assert.Equal(480, g.CoveredPixels.Bottom);
    }

    [Fact]
    public void BoxLargerThanImageShrinksTheImageIntoTheInput()
    {
        var g = new CropGeometry(new BoxF(-50, -80, 900, 700), 640, 480, 513, 385);
        Assert.True(g.Scale < 1);
        Assert.Equal(new PixelRect(0, 0, 640, 480), g.CoveredPixels);
        Assert.False(g.InputPixelInsideImage(0, 0));
    }

    [Fact]
    public void DegenerateBoxesAreBounded()
    {
        var point = new CropGeometry(new BoxF(10, 10, 10, 10), 640, 480, 513, 385);
        Assert.Equal(385 / CropGeometry.MinBoxSide, point.Scale);
        var (u, v) = point.ImageToInput(10, 10);
        Assert.Equal(256.5, u, 9);
        Assert.Equal(256.5, v, 9);

        var inverted = new CropGeometry(new BoxF(300, 150, 100, 50), 640, 480, 513, 385);
        Assert.Equal(new BoxF(100, 50, 300, 150), inverted.Box);

        Assert.Throws<ArgumentException>(() => new CropGeometry(new BoxF(0, 0, double.NaN, 1), 640, 480, 513, 385));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CropGeometry(new BoxF(0, 0, 1, 1), 640, 480, 300, 385));
    }

    [Fact]
    public void BoxFarOutsideTheImageCoversNoPixel()
    {
        var g = new CropGeometry(new BoxF(5000, 5000, 5010, 5010), 640, 480, 513, 385);
        Assert.Equal(0, g.CoveredPixels.Width * g.CoveredPixels.Height);
    }

    private static BoxF Round(BoxF b) =>
        new(Math.Round(b.X0, 9), Math.Round(b.Y0, 9), Math.Round(b.X1, 9), Math.Round(b.Y1, 9));
}
