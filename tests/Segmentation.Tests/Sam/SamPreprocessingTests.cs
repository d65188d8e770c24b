using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Models.Sam;

namespace Segmentation.Tests.Sam;

public sealed class SamPreprocessingTests
{
    private static readonly float[] Mean = [123.675f, 116.28f, 103.53f];
    private static readonly float[] Std = [58.395f, 57.12f, 57.375f];

    [Fact]
    public void Longer_side_fills_the_input_and_the_rest_is_zero_padding()
    {
        var image = Uniform(40, 20, 200, 100, 50);
        var input = SamPreprocessing.EncoderInput(image, new PixelRect(0, 0, 40, 20), 64, Mean, Std);

        Assert.Equal(3 * 64 * 64, input.Length);
        // Inside the scaled image (64 x 32): normalised colour.
        Assert.Equal((200 - Mean[0]) / Std[0], input[0 * 4096 + 10 * 64 + 10], 3);
        Assert.Equal((100 - Mean[1]) / Std[1], input[1 * 4096 + 31 * 64 + 63], 3);
        Assert.Equal((50 - Mean[2]) / Std[2], input[2 * 4096 + 0], 3);
        // Below it: padding.
        Assert.Equal(0f, input[0 * 4096 + 32 * 64 + 5]);
        Assert.Equal(0f, input[2 * 4096 + 63 * 64 + 63]);
    }

    [Fact]
    public void A_frame_samples_only_its_own_part_of_the_image()
    {
        // Left half red, right half blue; a frame on the right half sees only blue.
        var pixels = new byte[20 * 10 * 3];
        for (var y = 0; y < 10; y++)
            for (var x = 0; x < 20; x++)
            {
                var i = (y * 20 + x) * 3;
                if (x < 10) pixels[i] = 255; else pixels[i + 2] = 255;
            }
        var image = new RgbImage(20, 10, pixels);
        var input = SamPreprocessing.EncoderInput(image, new PixelRect(10, 0, 10, 10), 32, Mean, Std);
        for (var i = 0; i < 32 * 32; i++)
        {
            Assert.Equal((0 - Mean[0]) / Std[0], input[i], 3);
            Assert.Equal((255 - Mean[2]) / Std[2], input[2 * 1024 + i], 3);
        }
    }

    [Fact]
    public void Resampling_logits_into_the_same_frame_keeps_them()
    {
        var frame = new PixelRect(10, 20, 100, 80);
        var source = new float[16 * 16];
        for (var i = 0; i < source.Length; i++) source[i] = (i % 16) - (i / 16);
        var destination = new float[source.Length];

        SamLogits.Resample(source, frame, destination, frame, encoderSize: 64);

        // Rows inside the frame's content (80/100 of 16 = 12.8 rows) are copied exactly; below is padding.
        for (var j = 0; j < 12; j++)
            for (var i = 0; i < 16; i++)
                Assert.Equal(source[j * 16 + i], destination[j * 16 + i], 4);
        Assert.Equal(SamLogits.Outside, destination[15 * 16 + 3]);
    }

    [Fact]
    public void Resampling_into_a_zoomed_frame_maps_the_object_to_the_same_image_place()
    {
        // Object logits positive on image x in [40, 60) of a 100x100 whole-image frame.
        var whole = new PixelRect(0, 0, 100, 100);
        var source = new float[25 * 25];
        for (var j = 0; j < 25; j++)
            for (var i = 0; i < 25; i++)
                source[j * 25 + i] = (i + 0.5) * 4 >= 40 && (i + 0.5) * 4 < 60 ? 10f : -10f;
        var zoom = new PixelRect(30, 30, 40, 40);
        var destination = new float[source.Length];

        SamLogits.Resample(source, whole, destination, zoom, encoderSize: 100);

        // In the zoom frame a low-res cell is 40/25 = 1.6 image pixels; image x = 30 + (i + 0.5) * 1.6.
        for (var i = 0; i < 25; i++)
        {
            var x = 30 + (i + 0.5) * 1.6;
            if (x < 38 || x > 62) Assert.True(destination[12 * 25 + i] < 0, $"cell {i} (x {x}) should be background");
            if (x > 42 && x < 58) Assert.True(destination[12 * 25 + i] > 0, $"cell {i} (x {x}) should be object");
        }
    }

    private static RgbImage Uniform(int w, int h, byte r, byte g, byte b)
    {
        var pixels = new byte[w * h * 3];
        for (var i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = r;
            pixels[i + 1] = g;
            pixels[i + 2] = b;
        }
        return new RgbImage(w, h, pixels);
    }
}

public sealed class SamPreparedImageTests
{
    [Fact]
    public void A_failed_encoding_is_not_cached_and_the_next_call_encodes_again()
    {
        using var image = new SamPreparedImage(new Segmentation.Imaging.RgbImage(4, 4, new byte[48]));
        var frame = new PixelRect(0, 0, 4, 4);
        var calls = 0;

        Assert.Throws<InvalidOperationException>(() => image.GetOrEncode(frame, _ => { calls++; throw new InvalidOperationException("encoder failed"); }));
        Assert.Equal(0, image.CachedEmbeddings);

        var (embedding, _) = image.GetOrEncode(frame, _ => { calls++; return ([1f, 2f], new EncoderTiming(0, 1)); });
        Assert.Equal([1f, 2f], embedding);
        Assert.Equal(2, calls);
        Assert.Equal(1, image.CachedEmbeddings);
    }
}
