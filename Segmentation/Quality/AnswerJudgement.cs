using Segmentation.Masks;

namespace Segmentation.Quality;

/// <summary>
/// How one answer did against a reference mask.
/// <list type="bullet">
/// <item><see cref="WrongPolarityClicks"/> of the <see cref="JudgedClicks"/> asked for the wrong label at their pixel:
/// wrong whatever mask was on screen, so it is the figure annotators are compared on. (After the first click the
/// annotator sees a preview, which the backend does not keep.)</item>
/// <item>The first click is also judged against the mask shown before the round: did it land in a true error region
/// with the right polarity (the paper's measure)?</item>
/// <item>A 0-click answer accepted the mask shown: was it good?</item>
/// </list>
/// </summary>
public sealed record AnswerJudgement(int JudgedClicks, int WrongPolarityClicks, bool FirstClickJudged, bool FirstClickCorrects,
    bool Accepted, bool AcceptedBad)
{
    /// <summary>An accepted mask with at least this IoU with the reference was good to accept.</summary>
    public const double GoodIoU = 0.85;

    /// <param name="shown">The mask the round started from (the previous round's).</param>
    public static AnswerJudgement Of(BinaryMask reference, BinaryMask shown, IReadOnlyList<Click> clicks, BinaryMask? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(clicks);
        if (clicks.Count == 0)
            return new(0, 0, false, false, Accepted: true, AcceptedBad: MaskMetrics.IoU(shown, reference, ignore) < GoodIoU);
        var verdicts = ClickScoring.Score(reference, shown, clicks, ignore: ignore);
        var judged = verdicts.Count(v => v != ClickVerdict.Unjudged);
        var wrong = verdicts.Count(v => v == ClickVerdict.Contradicts);
        return new(judged, wrong, verdicts[0] != ClickVerdict.Unjudged, verdicts[0] == ClickVerdict.Corrects, Accepted: false, AcceptedBad: false);
    }
}
