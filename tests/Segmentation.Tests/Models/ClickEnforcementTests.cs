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
    public void A_pixel_exactly_as_far_as_the_nearest_pixel_on_the_clicks_side_is_inside_the_disc()
    {
        // The nearest mask pixel is at (+2, +3): squared distance 13, whose square root squared is not exactly 13.
        var mask = new BinaryMask(40, 40);
        mask.Data[23 * 40 + 22] = 1;

        var (result, _) = ClickEnforcement.Apply(mask, [Click.AtPixel(20, 20, ClickLabel.Foreground)], maxRadius: 10);

        Assert.True(result[23, 22], "(+3, +2) is as far as the nearest mask pixel");
        Assert.True(result[17, 18], "(-3, -2) too");
        Assert.False(result[23, 23], "(+3, +3) is farther");
        // The 45 pixels within sqrt(13) of the click, one of them the mask pixel.
        Assert.Equal(44, result.Area() - mask.Area());
    }

    [Fact]
    public void Of_two_clicks_with_different_labels_on_one_pixel_the_later_one_wins()
    {
        var empty = new BinaryMask(20, 20);
        Click foreground = Click.AtPixel(5, 5, ClickLabel.Foreground), background = Click.AtPixel(5, 5, ClickLabel.Background);

        var (backgroundLast, changedBackgroundLast) = ClickEnforcement.Apply(empty, [foreground, background], maxRadius: 4);
        var (foregroundLast, changedForegroundLast) = ClickEnforcement.Apply(empty, [background, foreground], maxRadius: 4);

        Assert.Equal(0, changedBackgroundLast);
        Assert.Same(empty, backgroundLast);
        Assert.Equal(1, changedForegroundLast);
        Assert.True(foregroundLast[5, 5]);
    }

    [Fact]
    public void Clicks_outside_the_mask_are_left_alone()
    {
        var mask = Raster.FillBox(20, 20, new BoxF(5, 5, 15, 15));
        Click[] clicks = [Click.AtPixel(-1, 3, ClickLabel.Foreground), Click.AtPixel(20, 3, ClickLabel.Foreground), Click.AtPixel(3, 25, ClickLabel.Foreground)];

        var (result, changed) = ClickEnforcement.Apply(mask, clicks, maxRadius: 4);

        Assert.Same(mask, result);
        Assert.Equal(0, changed);
    }

    [Fact]
    public void Masks_made_of_boxes_and_random_clicks_get_exactly_the_discs_a_brute_force_reading_of_the_rule_gives()
    {
        var random = new Random(7);
        const int width = 60, height = 40;
        const double maxRadius = 6;
        for (var trial = 0; trial < 300; trial++)
        {
            var mask = new BinaryMask(width, height);
            for (var b = random.Next(0, 4); b > 0; b--)
            {
                var (x0, y0) = (random.Next(width), random.Next(height));
                mask = mask.Or(Raster.FillBox(width, height, new BoxF(x0, y0, x0 + random.Next(1, 30), y0 + random.Next(1, 20))));
            }
            var clicks = Enumerable.Range(0, random.Next(1, 10))
                .Select(_ => Click.AtPixel(random.Next(width), random.Next(height), random.Next(2) == 0 ? ClickLabel.Foreground : ClickLabel.Background))
                .DistinctBy(c => (c.PixelX, c.PixelY)).ToArray();

            var (result, changed) = ClickEnforcement.Apply(mask, clicks, maxRadius);

            var expected = mask.Clone();
            foreach (var click in clicks.Where(c => mask[c.PixelX, c.PixelY] != c.IsForeground))
            {
                double Squared(int x, int y) => (double)(x - click.PixelX) * (x - click.PixelX) + (double)(y - click.PixelY) * (y - click.PixelY);
                var r2 = maxRadius * maxRadius;
                for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                    if (mask[x, y] == click.IsForeground) r2 = Math.Min(r2, Squared(x, y));
                foreach (var other in clicks.Where(c => c.IsForeground != click.IsForeground))
                {
                    var half = Math.Sqrt(Squared(other.PixelX, other.PixelY)) / 2 - 0.5;
                    r2 = Math.Min(r2, half * half);
                }
                for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                    if (Squared(x, y) <= r2) expected.Data[y * width + x] = click.IsForeground ? (byte)1 : (byte)0;
            }
            Assert.Equal(expected, result);
            Assert.Equal(0, ClickAgreement.Violations(result, clicks));
            Assert.Equal(expected.Data.Zip(mask.Data).Count(p => p.First != p.Second), changed);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_largest_radius_is_refused(double radius)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ClickEnforcement.Apply(new BinaryMask(10, 10), [Click.AtPixel(1, 1, ClickLabel.Foreground)], radius));
        Assert.Equal("maxRadius", error.ParamName);
    }
}
