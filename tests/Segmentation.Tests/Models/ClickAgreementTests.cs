using Segmentation.Masks;
using Segmentation.Models;

namespace Segmentation.Tests.Models;

public sealed class ClickAgreementTests
{
    [Fact]
    public void Foreground_clicks_outside_and_background_clicks_inside_are_violations()
    {
        var mask = Raster.FillBox(20, 20, new BoxF(5, 5, 15, 15));
        Click[] clicks =
        [
            Click.AtPixel(10, 10, ClickLabel.Foreground), // agrees
            Click.AtPixel(2, 2, ClickLabel.Background),   // agrees
            Click.AtPixel(1, 1, ClickLabel.Foreground),   // outside: violated
            Click.AtPixel(12, 12, ClickLabel.Background), // inside: violated
        ];
        Assert.Equal(2, ClickAgreement.Violations(mask, clicks));
    }

    [Fact]
    public void Frame_logits_count_the_same_as_the_pasted_mask_and_a_foreground_click_off_the_frame_is_violated()
    {
        var frame = new PixelRect(5, 5, 10, 10);
        var logits = new float[100];
        Array.Fill(logits, 1f);
        Click[] clicks =
        [
            Click.AtPixel(6, 6, ClickLabel.Foreground),
            Click.AtPixel(30, 30, ClickLabel.Foreground),
            Click.AtPixel(0, 0, ClickLabel.Background),
            Click.AtPixel(7, 7, ClickLabel.Background),
        ];
        Assert.Equal(2, ClickAgreement.Violations(logits, frame, clicks));
    }
}
