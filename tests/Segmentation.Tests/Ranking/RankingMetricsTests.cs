using Segmentation.Ranking;

namespace Segmentation.Tests.Ranking;

public sealed class RankingMetricsTests
{
    [Fact]
    public void Spearman_is_one_for_any_increasing_relation_and_minus_one_for_a_decreasing_one()
    {
        double[] x = [0.1, 0.5, 0.2, 0.9];
        Assert.Equal(1, RankingMetrics.Spearman(x, x.Select(v => v * v * v).ToArray()), 12);
        Assert.Equal(-1, RankingMetrics.Spearman(x, x.Select(v => -v).ToArray()), 12);
    }

    [Fact]
    public void The_quality_of_a_ranking_gathers_its_figures_and_the_gain_over_the_mean()
    {
        (double, double)[] masks = [(0.5, 0.7), (0.95, 0.9), (0.1, 0.2), (0.8, 0.6)];

        var quality = RankingMetrics.Quality(masks);

        Assert.Equal(4, quality.Masks);
        Assert.Equal(0.6, quality.AllMeanIoU, 12);
        Assert.Equal(RankingMetrics.Spearman([0.5, 0.95, 0.1, 0.8], [0.7, 0.9, 0.2, 0.6]), quality.Spearman, 12);
        Assert.Equal(10, quality.Curve.Count);
        Assert.Equal(0.75 - 0.6, quality.TopPercentGain(50), 12);
        Assert.True(double.IsNaN(quality.TopPercentGain(55)));
        Assert.True(double.IsNaN(RankingMetrics.Quality([]).AllMeanIoU));
    }

    [Fact]
    public void Spearman_gives_ties_their_mean_rank()
    {
        // Ranks of x: 1, 2.5, 2.5, 4; of y: 1, 2, 3, 4. Pearson of those ranks = 4.5 / sqrt(4.5 * 5).
        double[] x = [1, 2, 2, 3];
        double[] y = [10, 20, 30, 40];
        Assert.Equal(4.5 / Math.Sqrt(4.5 * 5), RankingMetrics.Spearman(x, y), 12);
    }

    [Fact]
    public void Spearman_is_not_a_number_when_one_side_is_constant()
    {
        Assert.True(double.IsNaN(RankingMetrics.Spearman([1, 1, 1], [1, 2, 3])));
        Assert.True(double.IsNaN(RankingMetrics.Spearman([1], [1])));
    }

    [Fact]
    public void The_top_percent_curve_averages_the_best_predicted_masks()
    {
        // Predicted order (best first): d(0.9), c(0.6), b(0.7)... by prediction: 0.95->0.9, 0.8->0.6, 0.5->0.7, 0.1->0.2.
        (double, double)[] masks = [(0.5, 0.7), (0.95, 0.9), (0.1, 0.2), (0.8, 0.6)];
        var curve = RankingMetrics.TopPercentCurve(masks, [25, 50, 75, 100]);
        Assert.Equal([1, 2, 3, 4], curve.Select(p => p.Instances));
        Assert.Equal(0.9, curve[0].MeanTrueIoU, 12);
        Assert.Equal(0.75, curve[1].MeanTrueIoU, 12);
        Assert.Equal((0.9 + 0.6 + 0.7) / 3, curve[2].MeanTrueIoU, 12);
        Assert.Equal(0.6, curve[3].MeanTrueIoU, 12);
    }

    [Fact]
    public void Ties_in_prediction_do_not_flatter_the_curve()
    {
        (double, double)[] masks = [(0.5, 0.9), (0.5, 0.1)];
        Assert.Equal(0.1, RankingMetrics.TopPercentCurve(masks, [50])[0].MeanTrueIoU, 12);
    }
}
