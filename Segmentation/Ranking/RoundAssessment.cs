using Segmentation.Masks;

namespace Segmentation.Ranking;

/// <summary>
/// What a finished round tells M_r: the round's quality signals (with the model's own score of the mask) and, when the
/// instance has a reference mask, the mask's true IoU with it. The backend assesses each finished round of an instance
/// and the evaluation protocols assess each simulated round with this one function, so M_r trains and is evaluated on
/// the same signals.
/// </summary>
public sealed record RoundAssessment(QualityFeatures Features, double? TrueIoU)
{
    /// <summary>
    /// The round <paramref name="round"/> turned <paramref name="previous"/> into <paramref name="current"/> with
    /// <paramref name="roundClicks"/> (a round accepted without clicks keeps the previous mask: pass it as both).
    /// </summary>
    public static RoundAssessment Of(BinaryMask previous, BinaryMask current, IReadOnlyList<Click> roundClicks, int round, double? modelScore,
        BinaryMask? truth = null, BinaryMask? ignore = null)
    {
        var features = QualityFeatures.Compute(previous, current, roundClicks, round) with { ModelScore = modelScore };
        return new RoundAssessment(features, truth is null ? null : MaskMetrics.IoU(current, truth, ignore));
    }
}
