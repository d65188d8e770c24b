namespace Segmentation.Quality;

/// <summary>One annotator's quality figures (NaN where there is nothing to compute them from).</summary>
/// <param name="JudgedClicks">Clicks on instances with a reference that could be judged.</param>
/// <param name="CorrectingShare">Of the judged clicks, the share in a true error region with the right polarity.</param>
/// <param name="IoUGainPerClick">On instances with a reference: the IoU the round added, per click, over answers with clicks.</param>
/// <param name="AcceptedBadShare">Of the 0-click answers on instances with a reference, the share on a mask that was not good.</param>
public sealed record AnnotatorQualityFigures(
    int Answers, int Skips, double SecondsPerAnswer, int JudgedClicks, double CorrectingShare,
    int RoundsWithGain, double IoUGainPerClick, int AcceptedWithReference, double AcceptedBadShare);

/// <summary>
/// Adds up one annotator's answers into <see cref="AnnotatorQualityFigures"/>. Answers on instances without a reference
/// count only for the totals (answers, skips, seconds): their clicks cannot be judged.
/// </summary>
public sealed class AnnotatorQualityTally
{
    /// <summary>An accepted mask with at least this IoU with the reference was good to accept.</summary>
    public const double DefaultGoodIoU = 0.85;

    readonly double goodIoU;
    int answers, skips, judged, correcting, roundsWithGain, accepted, acceptedBad;
    double seconds, gainSum;
    long gainClicks;

    public AnnotatorQualityTally(double goodIoU = DefaultGoodIoU)
    {
        if (goodIoU is <= 0 or > 1 || !double.IsFinite(goodIoU))
            throw new ArgumentOutOfRangeException(nameof(goodIoU), goodIoU, "A good IoU is in (0, 1].");
        this.goodIoU = goodIoU;
    }

    /// <summary>Any answer: a skip, an accepted mask or clicks, with the seconds it took.</summary>
    public void Answer(bool skipped, double secondsSpent)
    {
        if (!double.IsFinite(secondsSpent) || secondsSpent < 0)
            throw new ArgumentOutOfRangeException(nameof(secondsSpent), secondsSpent, "Seconds must be a finite number, 0 or more.");
        answers++;
        if (skipped) skips++;
        seconds += secondsSpent;
    }

    /// <summary>The verdicts of one answer's clicks on an instance with a reference.</summary>
    public void Clicks(IEnumerable<ClickVerdict> verdicts)
    {
        foreach (var v in verdicts)
        {
            if (v == ClickVerdict.Unjudged) continue;
            judged++;
            if (v == ClickVerdict.Corrects) correcting++;
        }
    }

    /// <summary>A round with clicks on an instance with a reference: the IoU of the mask shown and of the mask it led to.</summary>
    public void Gain(double iouBefore, double iouAfter, int clicks)
    {
        if (clicks < 1) throw new ArgumentOutOfRangeException(nameof(clicks), clicks, "A gain per click needs at least one click.");
        if (!double.IsFinite(iouBefore) || !double.IsFinite(iouAfter))
            throw new ArgumentOutOfRangeException(nameof(iouAfter), "IoUs must be numbers.");
        roundsWithGain++;
        gainSum += iouAfter - iouBefore;
        gainClicks += clicks;
    }

    /// <summary>A 0-click answer on an instance with a reference: the IoU of the mask it accepted.</summary>
    public void Accepted(double iouAccepted)
    {
        if (!double.IsFinite(iouAccepted)) throw new ArgumentOutOfRangeException(nameof(iouAccepted), "The IoU must be a number.");
        accepted++;
        if (iouAccepted < goodIoU) acceptedBad++;
    }

    public AnnotatorQualityFigures Figures() => new(
        answers, skips, answers == 0 ? double.NaN : seconds / answers,
        judged, judged == 0 ? double.NaN : (double)correcting / judged,
        roundsWithGain, gainClicks == 0 ? double.NaN : gainSum / gainClicks,
        accepted, accepted == 0 ? double.NaN : (double)acceptedBad / accepted);
}
