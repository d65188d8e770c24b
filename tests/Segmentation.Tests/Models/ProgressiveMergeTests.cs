using Segmentation.Masks;
using Segmentation.Models;

namespace Segmentation.Tests.Models;

public sealed class ProgressiveMergeTests
{
    // The whole connected change, as the progressive merge of the interactive segmentation literature takes it.
    private static double Unlimited(Click click) => double.PositiveInfinity;

    [Fact]
    public void A_foreground_click_adds_only_the_new_part_it_touches()
    {
        var previous = Raster.FillBox(60, 40, new BoxF(10, 10, 30, 30));
        // The proposal drops the old square entirely but covers two new parts: one at the click, one elsewhere.
        var proposal = Raster.FillBox(60, 40, new BoxF(30, 10, 40, 20)).Or(Raster.FillBox(60, 40, new BoxF(50, 30, 55, 35)));

        var merged = ProgressiveMerge.Apply(previous, proposal, [Click.AtPixel(35, 15, ClickLabel.Foreground)], Unlimited);

        Assert.True(merged[15, 15], "the old mask is kept where no click asked for a change");
        Assert.True(merged[35, 15], "the new part under the click is added");
        Assert.False(merged[52, 32], "a new part away from the click is not added");
        Assert.Equal(400 + 100, merged.Area());
    }

    [Fact]
    public void A_background_click_removes_only_the_dropped_part_it_touches()
    {
        var previous = Raster.FillBox(60, 40, new BoxF(0, 0, 60, 40));
        var proposal = previous.AndNot(Raster.FillBox(60, 40, new BoxF(0, 0, 10, 10))).AndNot(Raster.FillBox(60, 40, new BoxF(50, 30, 60, 40)));

        var merged = ProgressiveMerge.Apply(previous, proposal, [Click.AtPixel(5, 5, ClickLabel.Background)], Unlimited);

        Assert.False(merged[5, 5]);
        Assert.True(merged[55, 35], "the other dropped part stays");
        Assert.Equal(60 * 40 - 100, merged.Area());
    }

    [Fact]
    public void A_click_where_the_proposal_changes_nothing_keeps_the_old_mask()
    {
        var previous = Raster.FillBox(20, 20, new BoxF(5, 5, 15, 15));
        var merged = ProgressiveMerge.Apply(previous, new BinaryMask(20, 20), [Click.AtPixel(1, 1, ClickLabel.Foreground), Click.AtPixel(30, 30, ClickLabel.Background)], Unlimited);
        Assert.Equal(previous, merged);
    }
}
