using Segmentation.Masks;
using Segmentation.Quality;

namespace Segmentation.Tests.Quality;

public sealed class QualificationScoringTests
{
    [Fact]
    public void An_attempt_passes_on_mean_IoU_and_on_the_share_of_right_polarity_clicks_when_clicks_were_judged()
    {
        QualificationItemScore[] careful = [new(0.9, 4, 0), new(0.8, 2, 0)];
        Assert.Equal(new QualificationOutcome(true, 0.85, 1.0), Round(QualificationScoring.Decide(careful, 0.8, 0.9)));
        Assert.False(QualificationScoring.Decide(careful, 0.9, 0.9).Passed);

        QualificationItemScore[] careless = [new(0.9, 4, 3), new(0.9, 4, 2)];
        var outcome = QualificationScoring.Decide(careless, 0.5, 0.9);
        Assert.Equal((false, 0.375), (outcome.Passed, outcome.RightPolarityShare!.Value));
        Assert.True(QualificationScoring.Decide(careless, 0.5, null).Passed);

        // Accepting every mask: no judged clicks, decided on IoU.
        QualificationItemScore[] accepting = [new(0.6, 0, 0)];
        Assert.Equal((true, (double?)null), (QualificationScoring.Decide(accepting, 0.5, 0.9).Passed, QualificationScoring.Decide(accepting, 0.5, 0.9).RightPolarityShare));
        Assert.Throws<ArgumentException>(() => QualificationScoring.Decide([], 0.5, null));
    }

    [Fact]
    public void Suggested_clicks_land_in_the_error_regions_with_their_polarity()
    {
        var reference = BinaryMask.FromPredicate(80, 60, (x, y) => x >= 10 && x < 70 && y >= 10 && y < 50);
        var shown = BinaryMask.FromPredicate(80, 60, (x, y) => x >= 10 && x < 40 && y >= 10 && y < 58);

        var clicks = QualificationScoring.SuggestedClicks(reference, shown, 4);

        Assert.NotEmpty(clicks);
        Assert.Equal(clicks, QualificationScoring.SuggestedClicks(reference, shown, 4));
        Assert.Equal(ClickLabel.Foreground, clicks[0].Label);
        Assert.True(reference[clicks[0].PixelX, clicks[0].PixelY] && !shown[clicks[0].PixelX, clicks[0].PixelY]);
        Assert.All(ClickScoring.Score(reference, shown, clicks), v => Assert.Equal(ClickVerdict.Corrects, v));
    }

    static QualificationOutcome Round(QualificationOutcome o) => o with { MeanIoU = Math.Round(o.MeanIoU, 9) };
}
