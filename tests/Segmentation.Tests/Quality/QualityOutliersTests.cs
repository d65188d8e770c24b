using Segmentation.Quality;

namespace Segmentation.Tests.Quality;

public sealed class QualityOutliersTests
{
    static (string, int, double)[] Group(params double[] shares) =>
        shares.Select((s, i) => ($"a{i}", 100, s)).ToArray();

    [Fact]
    public void Two_careless_annotators_among_fourteen_careful_ones_are_flagged_and_nobody_else()
    {
        var group = Group(0.97, 0.95, 0.99, 0.93, 0.96, 0.98, 0.94, 0.97, 0.92, 0.96, 0.99, 0.95, 0.91, 0.97, 0.35, 0.41);
        Assert.Equal(["a14", "a15"], QualityOutliers.Flag(group));
    }

    [Fact]
    public void A_group_that_scores_alike_flags_nobody_even_when_the_work_is_hard_for_all()
    {
        Assert.Empty(QualityOutliers.Flag(Group(0.97, 0.95, 0.99, 0.93, 0.96, 0.98)));
        Assert.Empty(QualityOutliers.Flag(Group(0.55, 0.61, 0.49, 0.58, 0.52, 0.60)));
        // A tight group: a share 0.1 below it is more than 3 spreads away, but not the minimum gap of 0.2.
        Assert.Empty(QualityOutliers.Flag(Group(0.95, 0.95, 0.96, 0.95, 0.94, 0.85)));
    }

    [Fact]
    public void In_a_spread_out_group_a_gap_larger_than_the_minimum_but_within_three_spreads_is_not_flagged()
    {
        // Median 0.775, median absolute deviation 0.125: three robust spreads are 0.56, so 0.4 (0.375 below) is within the group.
        var group = Group(0.6, 0.7, 0.8, 0.9, 1.0, 0.65, 0.75, 0.85, 0.95, 0.4);
        Assert.Empty(QualityOutliers.Flag(group));
        Assert.Equal(["a9"], QualityOutliers.Flag(group, spreads: 1));
    }

    [Fact]
    public void When_half_the_group_or_more_is_careless_the_median_is_theirs_and_nobody_is_flagged()
    {
        Assert.Empty(QualityOutliers.Flag(Group(0.97, 0.95, 0.4, 0.35)));
        Assert.Empty(QualityOutliers.Flag(Group(0.97, 0.4, 0.35)));
        // A share that is not a number is left out, not flagged.
        Assert.Equal(["a3"], QualityOutliers.Flag(Group(0.97, 0.95, 0.96, 0.3, double.NaN)));
    }

    [Fact]
    public void Too_few_judged_clicks_or_too_small_a_group_flags_nobody()
    {
        var group = Group(0.97, 0.95, 0.99, 0.93, 0.96, 0.98).Append(("new", 5, 0.2)).ToArray();
        Assert.Empty(QualityOutliers.Flag(group));
        Assert.Equal(["new"], QualityOutliers.Flag(group, minJudgedClicks: 5));
        Assert.Empty(QualityOutliers.Flag(Group(0.95, 0.2)));
    }

    [Fact]
    public void Few_clicks_flag_only_a_glaring_share_and_many_clicks_a_clear_one()
    {
        var careful = Group(1, 1, 1, 1, 1);
        // 4 of 19 right: far below even at the top of its interval. 6 of 8 right: it could be a careful annotator's luck.
        Assert.Equal(["careless"], QualityOutliers.Flag([.. careful, ("careless", 19, 4 / 19.0), ("unlucky", 8, 0.75)]));
        // A share a little lower, 0.7, over 200 clicks is clearly below the others.
        Assert.Equal(["sloppy"], QualityOutliers.Flag([.. careful, ("sloppy", 200, 0.7)]));
        // Annotators with fewer than 10 judged clicks do not make the yardstick: three careless ones with few clicks cannot lower it.
        Assert.Equal(["c1", "c2", "c3"], QualityOutliers.Flag([.. Group(1, 1, 1), ("c1", 9, 0), ("c2", 9, 0), ("c3", 9, 0)]));
        Assert.Equal((1.0, 0.70), (QualityOutliers.WilsonUpper(1, 8), Math.Round(QualityOutliers.WilsonUpper(0.5, 20), 2)));
    }
}
