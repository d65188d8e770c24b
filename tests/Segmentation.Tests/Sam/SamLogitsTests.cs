using Segmentation.Masks;
using Segmentation.Models.Sam;

namespace Segmentation.Tests.Sam;

public sealed class SamLogitsTests
{
    [Fact]
    public void Logits_made_from_a_mask_describe_it_in_the_frame()
    {
        var mask = Raster.FillBox(200, 100, new BoxF(50, 20, 150, 80));
        var frame = new PixelRect(0, 0, 200, 100);

        var logits = SamLogits.FromMask(mask, frame, lowSize: 64, encoderSize: 256);

        // A low-resolution cell covers 4 encoder pixels = 3.125 image pixels here.
        Assert.True(logits[16 * 64 + 32] > 0, "cell at image (101.6, 51.6) is inside");
        Assert.True(logits[2 * 64 + 2] < 0, "cell at image (7.8, 7.8) is outside");
        Assert.True(logits[40 * 64 + 32] < 0, "padding below the frame is background");
    }
}
