using Segmentation.Masks;
using Segmentation.Models;

namespace Segmentation.Tests.Models;

public sealed class LocalMergeTests
{
    [Fact]
    public void A_background_click_on_a_collapsed_answer_removes_only_a_disc_around_the_click()
    {
        // A good mask; the model's answer to one background click near its edge throws the whole mask away.
        var previous = Raster.FillBox(100, 100, new BoxF(20, 20, 80, 80));
        var collapsed = new BinaryMask(100, 100);
        var click = Click.AtPixel(25, 50, ClickLabel.Background);

        var merged = LocalMerge.Apply(previous, collapsed, [click], depthFactor: 2, minRadius: 4);

        // The click is 6 px deep (the nearest background pixel is x = 19), so the disc has radius 2 * 6 + 4 = 16.
        Assert.Equal(6, LocalMerge.Depth(previous, 25, 50));
        Assert.False(merged[25, 50], "the clicked pixel leaves the mask");
        Assert.False(merged[25 + 15, 50], "inside the disc the answer is applied");
        Assert.False(merged[25 + 16, 50], "the disc includes its rim");
        Assert.True(merged[25 + 17, 50], "outside the disc the previous mask stays");
        Assert.True(merged[60, 60], "far from the click the previous mask stays");
        var removed = previous.Area() - merged.Area();
        Assert.InRange(removed, 1, (long)Math.Ceiling(Math.PI * 16 * 16));
    }

    [Fact]
    public void A_foreground_click_adds_the_answer_near_it_but_not_a_leak_far_away()
    {
        var previous = Raster.FillBox(200, 100, new BoxF(20, 20, 60, 80));
        // The answer fills the missed part next to the click and leaks along a strip to the far side of the image.
        var answer = Raster.FillBox(200, 100, new BoxF(20, 20, 70, 80)).Or(Raster.FillBox(200, 100, new BoxF(70, 45, 200, 55)));
        var click = Click.AtPixel(65, 50, ClickLabel.Foreground);

        var merged = LocalMerge.Apply(previous, answer, [click], depthFactor: 2, minRadius: 8);

        Assert.True(merged[65, 50]);
        Assert.True(merged[68, 40], "the missed part next to the click is added");
        Assert.False(merged[150, 50], "the leak far from the click is not");
        Assert.True(previous.AndNot(merged).IsEmpty, "a foreground click never removes anything");
    }

    [Fact]
    public void Changes_not_connected_to_the_click_and_clicks_where_nothing_changed_keep_the_old_mask()
    {
        var previous = Raster.FillBox(60, 60, new BoxF(10, 10, 40, 40));
        var answer = previous.Or(Raster.FillBox(60, 60, new BoxF(50, 50, 55, 55)));
        var merged = LocalMerge.Apply(previous, answer, [Click.AtPixel(45, 20, ClickLabel.Foreground), Click.AtPixel(20, 20, ClickLabel.Background)]);
        Assert.Equal(previous, merged);
    }

    [Fact]
    public void The_depth_is_the_distance_to_the_other_side_and_negative_settings_are_refused()
    {
        var mask = Raster.FillBox(50, 50, new BoxF(10, 10, 20, 20));
        Assert.Equal(6, LocalMerge.Depth(mask, 25, 15));
        Assert.Equal(Math.Sqrt(2 * 5 * 5), LocalMerge.Depth(mask, 24, 24), 6);
        Assert.Equal(50, LocalMerge.Depth(new BinaryMask(50, 50), 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => LocalMerge.Apply(mask, mask, [], depthFactor: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LocalMerge.Depth(mask, -1, 3));
    }
}
