using Segmentation.Imaging;
using Segmentation.Masks;

namespace Segmentation.Tests;

public class ImageCodecTests
{
    [Fact]
    public void MaskPngRoundTrip()
    {
        var mask = RandomMasks.Next(new Random(12), 37, 23);
        mask[0, 0] = true;
        mask[36, 22] = false;
        var path = Path.Combine(Path.GetTempPath(), $"mask-{Guid.NewGuid():N}.png");
        try
        {
            ImageCodec.WriteMaskPng(mask, path);
            Assert.Equal(mask, ImageCodec.ReadMask(path));
            var (width, height, values) = ImageCodec.ReadMaskValues(path);
            Assert.Equal((37, 23), (width, height));
            Assert.Equal(255, values[0]);
            Assert.Equal(0, values[^1]);
            Assert.All(values, v => Assert.True(v is 0 or 255));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ImagePngRoundTrip()
    {
        var random = new Random(13);
        var pixels = new byte[9 * 5 * 3];
        random.NextBytes(pixels);
        var image = new RgbImage(9, 5, pixels);
        var decoded = ImageCodec.DecodeImage(new MemoryStream(ImageCodec.EncodeImagePng(image)));
        Assert.Equal((9, 5), (decoded.Width, decoded.Height));
        Assert.Equal(pixels, decoded.Pixels);
        Assert.Equal((pixels[3 * (2 * 9 + 4)], pixels[3 * (2 * 9 + 4) + 1], pixels[3 * (2 * 9 + 4) + 2]), decoded[4, 2]);
    }

    [Fact]
    public void MissingAndInvalidFiles()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.png");
        Assert.Throws<FileNotFoundException>(() => ImageCodec.ReadImage(missing));
        Assert.Throws<FileNotFoundException>(() => ImageCodec.ReadMask(missing));
        Assert.Throws<InvalidDataException>(() => ImageCodec.DecodeImage(new MemoryStream("not an image"u8.ToArray())));
    }

    [Fact]
    public void DecodesDavisImageAndMask()
    {
        var image = ImageCodec.ReadImage(TestData.DavisImage(0));
        Assert.Equal((854, 480), (image.Width, image.Height));
        // A natural photograph: many distinct colours, not a blank frame.
        var colours = new HashSet<int>();
        for (var i = 0; i < image.Pixels.Length; i += 3 * 97)
            colours.Add(image.Pixels[i] << 16 | image.Pixels[i + 1] << 8 | image.Pixels[i + 2]);
        Assert.True(colours.Count > 500, $"only {colours.Count} colours sampled");

        var mask = ImageCodec.ReadMask(TestData.DavisMask(0));
        Assert.Equal((854, 480), (mask.Width, mask.Height));
        var area = mask.Area();
        Assert.InRange(area, 100, 854 * 480 / 2);
        // The object is one main region.
        var (_, components) = ConnectedComponents.Label(mask);
        Assert.True(components.Max(c => c.Area) > area / 2);
        // And the COCO RLE of a real mask round-trips.
        Assert.Equal(mask, CocoRle.Decode(CocoRle.Encode(mask), 480, 854));
    }

    [Fact]
    public void DavisSetIsComplete()
    {
        Assert.True(File.Exists(Path.Combine(TestData.RepoRoot, "Actors.sln")));
        Assert.True(File.Exists(TestData.DavisImage(344)));
        Assert.True(File.Exists(TestData.DavisMask(344)));
        Assert.Throws<FileNotFoundException>(() => TestData.DavisImage(999));
    }
}
