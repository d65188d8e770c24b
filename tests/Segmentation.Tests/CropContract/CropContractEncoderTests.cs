using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Models.CropContract;

namespace Segmentation.Tests.CropContract;

public class CropContractEncoderTests
{
    private const int S = 513;
    private const int Plane = S * S;

    private static RgbImage Uniform(int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[width * height * 3];
        for (var i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = r;
            pixels[i + 1] = g;
            pixels[i + 2] = b;
        }
        return new RgbImage(width, height, pixels);
    }

    [Fact]
    public void RgbIsNormalisedAndOutsideOfImageIsBlack()
    {
        var options = CropContractOptions.BoxAndClicks;
        var image = Uniform(200, 100, 255, 128, 0);
        var geometry = new CropGeometry(new BoxF(150, 50, 200, 100), 200, 100, S, 385); // bottom-right corner
        var tensor = CropContractEncoder.Encode(image, geometry, [], options);
        Assert.Equal(6 * Plane, tensor.Length);

        // Centre of the input lies inside the image.
        var centre = 256 * S + 256;
        Assert.Equal((1f - 0.485f) / 0.229f, tensor[centre], 4);
        Assert.Equal((128f / 255 - 0.456f) / 0.224f, tensor[Plane + centre], 4);
        Assert.Equal((0f - 0.406f) / 0.225f, tensor[2 * Plane + centre], 4);

        // Bottom-right of the input is beyond the image: black before normalisation.
        var corner = (S - 1) * S + S - 1;
        Assert.False(geometry.InputPixelInsideImage(S - 1, S - 1));
        Assert.Equal(-0.485f / 0.229f, tensor[corner], 5);
        Assert.Equal(-0.456f / 0.224f, tensor[Plane + corner], 5);
        Assert.Equal(-0.406f / 0.225f, tensor[2 * Plane + corner], 5);
    }

    [Fact]
    public void RgbIsBilinearBetweenPixelCentres()
    {
        // Two columns: black and white. Scale 1 (box 385 wide) so input pixels align with image pixels shifted by a constant.
        var image = new RgbImage(2, 1, [0, 0, 0, 255, 255, 255]);
        var options = CropContractOptions.BoxOnly with { Mean = [0, 0, 0], Std = [1, 1, 1] };
        var geometry = new CropGeometry(new BoxF(0, 0, 2, 1), 2, 1, S, 385);
        var tensor = CropContractEncoder.Encode(image, geometry, [], options);
        // Input pixel centres map to x = (i + 0.5 - 256.5) / 192.5 + 1; sample the row through the image.
        var j = 256;
        for (var i = 0; i < S; i++)
        {
            var (x, _) = geometry.InputToImage(i + 0.5, j + 0.5);
            if (x < 0 || x >= 2) continue;
            var expected = (float)Math.Clamp(x - 0.5, 0, 1);
            Assert.Equal(expected, tensor[j * S + i], 4);
        }
    }

    [Fact]
    public void BoxChannelCoversTheMappedBox()
    {
        var image = Uniform(640, 480, 10, 10, 10);
        var geometry = new CropGeometry(new BoxF(100, 50, 300, 150), 640, 480, S, 385);
        var tensor = CropContractEncoder.Encode(image, geometry, [], CropContractOptions.BoxOnly);
        Assert.Equal(4 * Plane, tensor.Length);
        var box = tensor.AsSpan(3 * Plane, Plane);
        float sum = 0;
        foreach (var v in box) sum += v;
        // The box maps to [64, 449] x [160.25, 352.75]: pixel centres of columns 64..448 and rows 160..352.
        Assert.Equal(385 * 193, sum);
        Assert.Equal(1f, box[256 * S + 64]);
        Assert.Equal(0f, box[256 * S + 63]);
        Assert.Equal(1f, box[256 * S + 448]);
        Assert.Equal(0f, box[256 * S + 449]);
        Assert.Equal(0f, box[159 * S + 256]);
        Assert.Equal(1f, box[160 * S + 256]);
        Assert.Equal(1f, box[352 * S + 256]);
        Assert.Equal(0f, box[353 * S + 256]);
    }

    [Fact]
    public void DiskClicksHaveTheConfiguredRadiusInInputPixels()
    {
        var image = Uniform(640, 480, 10, 10, 10);
        var geometry = new CropGeometry(new BoxF(100, 50, 300, 150), 640, 480, S, 385);
        var fgClick = new Click(200, 100, ClickLabel.Foreground); // maps to the input centre
        var bgClick = new Click(150, 100, ClickLabel.Background);
        var tensor = CropContractEncoder.Encode(image, geometry, [fgClick, bgClick], CropContractOptions.BoxAndClicks);
        var fg = tensor.AsSpan(4 * Plane, Plane);
        var bg = tensor.AsSpan(5 * Plane, Plane);

        var expectedDisk = Raster.Disk(S, S, 256.5, 256.5, 5);
        for (var i = 0; i < Plane; i++) Assert.Equal(expectedDisk.Data[i], fg[i]);
        Assert.Equal(expectedDisk.Area(), SumOf(fg));

        var (bu, bv) = geometry.ImageToInput(150, 100);
        Assert.Equal(1f, bg[(int)bv * S + (int)bu]);
        Assert.Equal(0f, bg[256 * S + 256]);
        Assert.Equal(Raster.Disk(S, S, bu, bv, 5).Area(), SumOf(bg));
    }

    [Fact]
    public void GaussianClicksPeakAtOneAndDecay()
    {
        var options = CropContractOptions.BoxAndClicks with { ClickEncoding = ClickEncoding.Gaussian, GaussianSigma = 4 };
        var channel = new float[Plane];
        CropContractEncoder.DrawClicks(channel, S, [(100.5, 200.5)], options);
        Assert.Equal(1f, channel[200 * S + 100], 6);
        Assert.Equal((float)Math.Exp(-16.0 / 32), channel[200 * S + 104], 6);
        Assert.Equal((float)Math.Exp(-64.0 / 32), channel[208 * S + 100], 6);
        Assert.Equal(0f, channel[300 * S + 300]);

        CropContractEncoder.DrawClicks(channel, S, [], options);
        Assert.Equal(0f, SumOf(channel));
    }

    [Fact]
    public void DistanceTransformClicksAreTruncatedNormalisedDistances()
    {
        var options = CropContractOptions.BoxAndClicks with { ClickEncoding = ClickEncoding.DistanceTransform, DistanceTruncation = 100 };
        var channel = new float[Plane];
        CropContractEncoder.DrawClicks(channel, S, [(100.5, 100.5), (400.5, 100.5)], options);
        Assert.Equal(0f, channel[100 * S + 100]);
        Assert.Equal(0.3f, channel[100 * S + 130], 5);
        Assert.Equal(0.3f, channel[100 * S + 370], 5);  // nearest click wins
        Assert.Equal(1f, channel[400 * S + 250]);       // beyond the truncation

        CropContractEncoder.DrawClicks(channel, S, [], options);
        Assert.All(channel, v => Assert.Equal(1f, v));
    }

    [Fact]
    public void BoxOnlyModelIgnoresClicks()
    {
        var image = Uniform(64, 64, 1, 2, 3);
        var geometry = new CropGeometry(new BoxF(10, 10, 50, 50), 64, 64, S, 385);
        var a = CropContractEncoder.Encode(image, geometry, [], CropContractOptions.BoxOnly);
        var b = CropContractEncoder.Encode(image, geometry, [new Click(20, 20, ClickLabel.Foreground)], CropContractOptions.BoxOnly);
        Assert.Equal(a, b);
    }

    [Fact]
    public void MismatchedGeometryIsRejected()
    {
        var image = Uniform(64, 64, 1, 2, 3);
        var geometry = new CropGeometry(new BoxF(10, 10, 50, 50), 64, 64, 257, 193);
        var ex = Assert.Throws<ArgumentException>(() => CropContractEncoder.Encode(image, geometry, [], CropContractOptions.BoxOnly));
        Assert.Contains("257", ex.Message);
    }

    public static TheoryData<int, int, int, int, int, int> MaskCases => new()
    {
        // image W, H, box x0, y0, x1, y1 (the mask is an ellipse inscribed in the box)
        { 640, 480, 100, 50, 300, 150 },    // wide, downscale-free (scale ~1.9)
        { 640, 480, 200, 20, 260, 460 },    // tall
        { 640, 480, 300, 200, 312, 209 },   // tiny: strong magnification
        { 640, 480, 0, 0, 640, 480 },       // whole image: downscaling
        { 640, 480, 500, 300, 640, 480 },   // touching the right and bottom borders
        { 640, 480, 0, 100, 90, 400 },      // touching the left border
        { 1600, 1200, 100, 100, 1500, 1100 }, // large, strong downscaling
    };

    [Theory]
    [MemberData(nameof(MaskCases))]
    public void MaskSurvivesARoundTripThroughInputCoordinates(int width, int height, int x0, int y0, int x1, int y1)
    {
        double cx = (x0 + x1) / 2.0, cy = (y0 + y1) / 2.0, rx = (x1 - x0) / 2.0, ry = (y1 - y0) / 2.0;
        var truth = BinaryMask.FromPredicate(width, height, (x, y) =>
        {
            var dx = (x + 0.5 - cx) / rx;
            var dy = (y + 0.5 - cy) / ry;
            return dx * dx + dy * dy <= 1;
        });
        var box = truth.BoundingBox()!.Value.ToBox();
        var geometry = new CropGeometry(box, width, height, S, 385);

        foreach (var logits in new[] { false, true })
        {
            var rendered = CropContractEncoder.SampleMask(truth, geometry);
            if (logits)
                for (var i = 0; i < rendered.Length; i++) rendered[i] = 8 * (rendered[i] - 0.5f); // a logit map with the same 0.5 level set
            var decoded = CropContractDecoder.Decode(rendered, geometry, CropContractOptions.BoxAndClicks with { OutputIsLogits = logits });
            var iou = IoU(truth, decoded);
            Assert.True(iou >= 0.97, $"IoU {iou:F4} for box {box} (scale {geometry.Scale:F3}, logits {logits}).");
        }
    }

    [Fact]
    public void DecoderLeavesPixelsOutsideTheCoveredAreaAsBackground()
    {
        var geometry = new CropGeometry(new BoxF(100, 100, 150, 150), 640, 480, S, 385);
        var allOnes = new float[Plane];
        Array.Fill(allOnes, 1f);
        var mask = CropContractDecoder.Decode(allOnes, geometry, CropContractOptions.BoxOnly);
        var covered = geometry.CoveredPixels;
        Assert.Equal((long)covered.Width * covered.Height, mask.Area());
        Assert.Equal(covered, mask.BoundingBox());
    }

    [Fact]
    public void DecoderRejectsWrongLength()
    {
        var geometry = new CropGeometry(new BoxF(100, 100, 150, 150), 640, 480, S, 385);
        Assert.Throws<ArgumentException>(() => CropContractDecoder.Decode(new float[10], geometry, CropContractOptions.BoxOnly));
    }

    internal static double IoU(BinaryMask a, BinaryMask b)
    {
        a.RequireSameSize(b);
        long inter = 0, union = 0;
        for (var i = 0; i < a.Data.Length; i++)
        {
            inter += a.Data[i] & b.Data[i];
            union += a.Data[i] | b.Data[i];
        }
        return union == 0 ? 1 : (double)inter / union;
    }

    private static float SumOf(ReadOnlySpan<float> values)
    {
        float sum = 0;
        foreach (var v in values) sum += v;
        return sum;
    }
}
