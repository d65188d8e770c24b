using Segmentation.Masks;
using Segmentation.Models;

namespace Segmentation.Tests.Models;

public sealed class ClickEnforcementTests
{
    [Fact]
    public void A_foreground_click_outside_the_mask_adds_a_disc_reaching_to_the_mask()
    {
        var mask = Raster.FillBox(100, 100, new BoxF(20, 20, 60, 80));
        // The click is 5 px from the mask's last column (x = 59).
        var click = Click.AtPixel(64, 50, ClickLabel.Foreground);

        var (result, changed) = ClickEnforcement.Apply(mask, [click], maxRadius: 10);

        Assert.True(result[64, 50]);
        Assert.True(result[60, 50], "the disc joins the click to the mask");
        Assert.True(result[69, 50], "the disc's radius is the distance to the mask");
        Assert.False(result[70, 50], "the disc stops at that radius");
        Assert.Equal(result.Area() - mask.Area(), changed);
        // The 81 pixels within 5 px of the click, less the one the mask already had.
        Assert.Equal(80, changed);
        Assert.True(mask.AndNot(result).IsEmpty, "a foreground click only adds");
        Assert.False(mask[64, 50], "the input mask is not changed");
    }

    [Fact]
    public void A_background_click_far_inside_removes_a_disc_of_the_largest_radius()
    {
        var mask = Raster.FillBox(100, 100, new BoxF(10, 10, 90, 90));
        var click = Click.AtPixel(50, 50, ClickLabel.Background);

        var (result, changed) = ClickEnforcement.Apply(mask, [click], maxRadius: 6);

        Assert.False(result[50, 50]);
        Assert.False(result[56, 50]);
        Assert.True(result[57, 50], "the disc stops at the largest radius");
        Assert.Equal(mask.Area() - result.Area(), changed);
        Assert.True(result.AndNot(mask).IsEmpty, "a background click only removes");
    }

    [Fact]
    public void A_disc_stops_half_way_to_a_click_of_the_other_label_so_both_clicks_are_respected()
    {
        var mask = new BinaryMask(100, 100);
        // A foreground click the empty mask contradicts, 6 px from a background click the mask already respects.
        Click[] clicks = [Click.AtPixel(40, 50, ClickLabel.Foreground), Click.AtPixel(46, 50, ClickLabel.Background)];

        var (result, _) = ClickEnforcement.Apply(mask, clicks, maxRadius: 20);

        Assert.Equal(0, ClickAgreement.Violations(result, clicks));
        Assert.True(result[42, 50], "the disc reaches 2.5 px towards the background click");
        Assert.False(result[43, 50]);
        Assert.True(result[38, 50], "one radius holds all around the click");
        Assert.False(result[37, 50]);
    }

    [Fact]
    public void A_mask_that_already_agrees_is_returned_as_it_is()
    {
        var mask = Raster.FillBox(100, 100, new BoxF(20, 20, 60, 80));
        Click[] clicks = [Click.AtPixel(30, 30, ClickLabel.Foreground), Click.AtPixel(90, 90, ClickLabel.Background)];

        var (result, changed) = ClickEnforcement.Apply(mask, clicks, maxRadius: 10);

        Assert.Same(mask, result);
        Assert.Equal(0, changed);
    }

    [Fact]
    public void Random_masks_and_clicks_always_end_in_agreement_and_change_only_near_contradicted_clicks()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var mask = BinaryMask.FromPredicate(60, 40, (x, y) => random.NextDouble() < 0.5);
            var clicks = Enumerable.Range(0, random.Next(1, 12))
                .Select(_ => Click.AtPixel(random.Next(60), random.Next(40), random.Next(2) == 0 ? ClickLabel.Foreground : ClickLabel.Background))
                // Clicks of both labels on one pixel cannot both be respected.
                .DistinctBy(c => (c.PixelX, c.PixelY)).ToArray();
            var contradicted = clicks.Where(c => mask[c.PixelX, c.PixelY] != c.IsForeground).ToArray();

            var (result, _) = ClickEnforcement.Apply(mask, clicks, maxRadius: 4);

            Assert.Equal(0, ClickAgreement.Violations(result, clicks));
            for (var y = 0; y < 40; y++)
            for (var x = 0; x < 60; x++)
            {
                if (result[x, y] == mask[x, y]) continue;
                Assert.Contains(contradicted, c => c.IsForeground == result[x, y] && Math.Pow(c.PixelX - x, 2) + Math.Pow(c.PixelY - y, 2) <= 16);
            }
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_radius_or_a_click_off_the_mask_is_refused(double radius)
    {
        var mask = new BinaryMask(10, 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClickEnforcement.Apply(mask, [Click.AtPixel(1, 1, ClickLabel.Foreground)], radius));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ClickEnforcement.Apply(mask, [Click.AtPixel(10, 3, ClickLabel.Foreground)], 2));
        Assert.Contains("(10, 3)", error.Message);
    }
}
