using Segmentation.Masks;
using Segmentation.Simulation;

namespace Segmentation.Quality;

/// <summary>One answered qualification item: the final mask's IoU with the reference, and its judged clicks.</summary>
public sealed record QualificationItemScore(double IoU, int JudgedClicks, int WrongPolarityClicks);

/// <summary>An attempt's verdict; <see cref="RightPolarityShare"/> is null when no click was judged.</summary>
public sealed record QualificationOutcome(bool Passed, double MeanIoU, double? RightPolarityShare);

/// <summary>How a qualification attempt is decided, and where an item's clicks would have corrected its mask.</summary>
public static class QualificationScoring
{
    /// <summary>
    /// Passed when the mean IoU reaches <paramref name="minMeanIoU"/> and, when a share is asked for and some click was
    /// judged, the share of judged clicks with the right polarity reaches <paramref name="minRightPolarityShare"/>. An
    /// attempt without judged clicks is decided on IoU alone: accepting bad masks already costs IoU.
    /// </summary>
    public static QualificationOutcome Decide(IReadOnlyList<QualificationItemScore> items, double minMeanIoU, double? minRightPolarityShare)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new ArgumentException("An attempt has at least one item.", nameof(items));
        var meanIoU = items.Average(i => i.IoU);
        var judged = items.Sum(i => i.JudgedClicks);
        double? share = judged == 0 ? null : 1 - (double)items.Sum(i => i.WrongPolarityClicks) / judged;
        var passed = meanIoU >= minMeanIoU && !(minRightPolarityShare is { } min && share is { } s && s < min);
        return new QualificationOutcome(passed, meanIoU, share);
    }

    /// <summary>
    /// The clicks a careful annotator would have given: at the centres of the largest error regions of
    /// <paramref name="shown"/> against <paramref name="reference"/>, without noise.
    /// </summary>
    public static IReadOnlyList<Click> SuggestedClicks(BinaryMask reference, BinaryMask shown, int maxClicks) =>
        new ClickSimulator(new ClickSimulatorOptions(NoiseSigmaPx: 0)).CorrectiveClicks(reference, shown, maxClicks, new Random(0));
}
