using Segmentation.Quality;

namespace Segmentation.Tests.Quality;

public sealed class AnnotatorQualityTallyTests
{
    [Fact]
    public void The_figures_add_up_answers_with_and_without_a_reference()
    {
        var tally = new AnnotatorQualityTally();
        tally.Answer(skipped: false, 10);
        tally.Clicks([ClickVerdict.Corrects, ClickVerdict.Corrects, ClickVerdict.Contradicts, ClickVerdict.Unjudged]);
        tally.Gain(0.70, 0.85, clicks: 3);
        tally.Answer(skipped: false, 4);
        tally.Accepted(0.92);
        tally.Answer(skipped: false, 2);
        tally.Accepted(0.60);
        tally.Answer(skipped: true, 6);
        tally.Answer(skipped: false, 8); // no reference: totals only

        var f = tally.Figures();
        Assert.Equal((5, 1, 6.0), (f.Answers, f.Skips, f.SecondsPerAnswer));
        Assert.Equal(3, f.JudgedClicks);
        Assert.Equal(2.0 / 3, f.CorrectingShare, 12);
        Assert.Equal(1, f.RoundsWithGain);
        Assert.Equal(0.05, f.IoUGainPerClick, 12);
        Assert.Equal((2, 0.5), (f.AcceptedWithReference, f.AcceptedBadShare));
    }

    [Fact]
    public void Nothing_to_compute_from_gives_NaN_and_bad_input_is_refused()
    {
        var f = new AnnotatorQualityTally().Figures();
        Assert.True(double.IsNaN(f.SecondsPerAnswer) && double.IsNaN(f.CorrectingShare) && double.IsNaN(f.IoUGainPerClick) && double.IsNaN(f.AcceptedBadShare));
        var tally = new AnnotatorQualityTally();
        Assert.Throws<ArgumentOutOfRangeException>(() => tally.Answer(false, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => tally.Gain(0.5, 0.6, clicks: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => tally.Accepted(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnnotatorQualityTally(goodIoU: 0));
    }
}
