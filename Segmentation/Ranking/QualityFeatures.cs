using Segmentation.Masks;

namespace Segmentation.Ranking;

/// <summary>
/// The five signals of the annotation process that predict a mask's quality without ground truth (Benenson et
/// al., CVPR 2019, section 5): (f1) clicks in the last round, (f2) the round number, (f3) the IoU between the
/// previous round's mask and this one (how much the mask changed), and (f4, f5) the maximum and mean distance,
/// in pixels, from the round's clicks to the boundary of the previous round's mask.
/// </summary>
public sealed record QualityFeatures(int ClicksInRound, int Round, double MaskChangeIoU, double MaxClickDistance, double MeanClickDistance)
{
    /// <summary>The value of a missing model score in a model's input vector (scores are in [0, 1]).</summary>
    public const float MissingScore = -1;

    /// <summary>
    /// Beyond the paper's five signals: the segmentation model's own estimate of the mask's IoU (SAM's IoU head) when
    /// the model gives one; null otherwise (masks from external models, or masks whose score was not kept).
    /// </summary>
    public double? ModelScore { get; init; }

    /// <summary>The features of <paramref name="set"/> in the order f1..f5 (then the model score), as a model's input vector.</summary>
    public float[] ToVector(QualityFeatureSet set = QualityFeatureSet.Paper) => set switch
    {
        QualityFeatureSet.Paper => [ClicksInRound, Round, (float)MaskChangeIoU, (float)MaxClickDistance, (float)MeanClickDistance],
        QualityFeatureSet.PaperAndModelScore => [ClicksInRound, Round, (float)MaskChangeIoU, (float)MaxClickDistance, (float)MeanClickDistance,
            ModelScore is { } score ? (float)score : MissingScore],
        _ => throw new ArgumentOutOfRangeException(nameof(set), set, "Unknown feature set."),
    };

    /// <summary>The paper's five feature names, f1..f5.</summary>
    public static readonly IReadOnlyList<string> Names = ["clicks_in_round", "round", "mask_change_iou", "max_click_distance", "mean_click_distance"];

    public static IReadOnlyList<string> NamesOf(QualityFeatureSet set) => set switch
    {
        QualityFeatureSet.Paper => Names,
        QualityFeatureSet.PaperAndModelScore => [.. Names, "model_score"],
        _ => throw new ArgumentOutOfRangeException(nameof(set), set, "Unknown feature set."),
    };

    /// <summary>
    /// The features of the mask <paramref name="current"/> made in round <paramref name="round"/> from
    /// <paramref name="previous"/> and the round's clicks. With no click both distances are 0 (the mask was
    /// accepted). A click's distance to the boundary is measured from its pixel to the nearest pixel on the other
    /// side of the previous mask's boundary; when the previous mask is empty it is the image diagonal.
    /// </summary>
    public static QualityFeatures Compute(BinaryMask previous, BinaryMask current, IReadOnlyList<Click> roundClicks, int round)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(roundClicks);
        if (previous.Width != current.Width || previous.Height != current.Height)
            throw new ArgumentException($"The masks differ in size: {previous.Width}x{previous.Height} and {current.Width}x{current.Height}.", nameof(current));
        ArgumentOutOfRangeException.ThrowIfNegative(round);

        var change = MaskMetrics.IoU(current, previous);
        if (roundClicks.Count == 0) return new QualityFeatures(0, round, change, 0, 0);

        var distances = ClickDistances(previous, roundClicks);
        return new QualityFeatures(roundClicks.Count, round, change, distances.Max(), distances.Average());
    }

    /// <summary>Per click, the distance in pixels to the boundary of <paramref name="mask"/>.</summary>
    public static double[] ClickDistances(BinaryMask mask, IReadOnlyList<Click> clicks)
    {
        var diagonal = Math.Sqrt((double)mask.Width * mask.Width + (double)mask.Height * mask.Height);
        float[]? toInside = null;
        float[]? toOutside = null;
        var result = new double[clicks.Count];
        for (var i = 0; i < clicks.Count; i++)
        {
            var x = Math.Clamp(clicks[i].PixelX, 0, mask.Width - 1);
            var y = Math.Clamp(clicks[i].PixelY, 0, mask.Height - 1);
            var p = y * mask.Width + x;
            var squared = mask.Data[p] != 0
                ? (toOutside ??= DistanceTransform.SquaredDistanceToOutside(mask))[p]
                : (toInside ??= DistanceTransform.SquaredDistanceTo(mask))[p];
            result[i] = float.IsPositiveInfinity(squared) ? diagonal : Math.Sqrt(squared);
        }
        return result;
    }
}

/// <summary>Which signals M_r is trained on.</summary>
public enum QualityFeatureSet
{
    /// <summary>The paper's five signals of the annotation process.</summary>
    Paper = 0,

    /// <summary>The five, plus the segmentation model's own score of the mask.</summary>
    PaperAndModelScore = 1,
}
