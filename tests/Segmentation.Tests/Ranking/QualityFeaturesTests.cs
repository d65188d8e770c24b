using Segmentation.Masks;
using Segmentation.Ranking;

namespace Segmentation.Tests.Ranking;

public sealed class QualityFeaturesTests
{
    static BinaryMask Rect(int width, int height, int x0, int y0, int x1, int y1)
    {
        var mask = new BinaryMask(width, height);
        for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++)
                mask.Data[y * width + x] = 1;
        return mask;
    }

    [Fact]
    public void Hand_made_round_gives_the_papers_five_features()
    {
        // Previous mask: columns 10..19 of a 40x20 image; the new mask adds columns 20..29 (IoU 10/20 = 0.5).
        var previous = Rect(40, 20, 10, 0, 20, 20);
        var current = Rect(40, 20, 10, 0, 30, 20);
        Click[] clicks =
        [
            new(25.5, 10.5, ClickLabel.Foreground), // pixel x=25, outside: nearest mask pixel x=19 -> 6 px
            new(12.5, 10.5, ClickLabel.Background), // pixel x=12, inside: nearest outside pixel x=9 -> 3 px
        ];

        var f = QualityFeatures.Compute(previous, current, clicks, round: 2);

        Assert.Equal(2, f.ClicksInRound);
        Assert.Equal(2, f.Round);
        Assert.Equal(0.5, f.MaskChangeIoU, 9);
        Assert.Equal(6, f.MaxClickDistance, 6);
        Assert.Equal(4.5, f.MeanClickDistance, 6);
        Assert.Equal(new float[] { 2, 2, 0.5f, 6, 4.5f }, f.ToVector());
    }

    [Fact]
    public void The_model_score_is_a_sixth_input_only_in_its_feature_set_and_missing_scores_stay_apart()
    {
        var f = new QualityFeatures(2, 1, 0.8, 6, 4) { ModelScore = 0.93 };

        Assert.Equal(new float[] { 2, 1, 0.8f, 6, 4 }, f.ToVector(QualityFeatureSet.Paper));
        Assert.Equal(new float[] { 2, 1, 0.8f, 6, 4, 0.93f }, f.ToVector(QualityFeatureSet.PaperAndModelScore));
        Assert.Equal(QualityFeatures.MissingScore, (f with { ModelScore = null }).ToVector(QualityFeatureSet.PaperAndModelScore)[5]);
        Assert.Equal(["clicks_in_round", "round", "mask_change_iou", "max_click_distance", "mean_click_distance", "model_score"],
            QualityFeatures.NamesOf(QualityFeatureSet.PaperAndModelScore));
    }

    [Fact]
    public void An_accepted_round_has_no_click_distance_and_an_unchanged_mask()
    {
        var mask = Rect(30, 30, 5, 5, 20, 20);
        var f = QualityFeatures.Compute(mask, mask, [], round: 3);
        Assert.Equal(new QualityFeatures(0, 3, 1.0, 0, 0), f);
    }

    [Fact]
    public void A_click_against_an_empty_previous_mask_is_as_far_as_the_image_diagonal()
    {
        var empty = new BinaryMask(30, 40);
        var distances = QualityFeatures.ClickDistances(empty, [new Click(3, 3, ClickLabel.Foreground)]);
        Assert.Equal(50, distances[0], 9);
    }

    [Fact]
    public void Diagonal_distances_are_euclidean()
    {
        var previous = Rect(20, 20, 0, 0, 5, 5); // pixels 0..4
        var distances = QualityFeatures.ClickDistances(previous, [new Click(7.5, 8.5, ClickLabel.Foreground)]);
        // Pixel (7, 8) to the nearest mask pixel (4, 4): sqrt(9 + 16) = 5.
        Assert.Equal(5, distances[0], 6);
    }
}
