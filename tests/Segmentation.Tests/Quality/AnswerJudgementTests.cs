using Segmentation.Masks;
using Segmentation.Quality;

namespace Segmentation.Tests.Quality;

public sealed class AnswerJudgementTests
{
    static BinaryMask Square(int x0, int y0, int x1, int y1) => BinaryMask.FromPredicate(60, 40, (x, y) => x >= x0 && x < x1 && y >= y0 && y < y1);

    static readonly BinaryMask Reference = Square(10, 10, 30, 30);

    [Fact]
    public void Polarity_is_judged_on_every_click_and_the_error_region_on_the_first()
    {
        var shown = Square(10, 10, 20, 30); // misses the reference's right half
        // The first click fixes the miss; the second (made on a preview that overshot) is a background click outside the
        // object: right for the reference, though the mask the round started from had that pixel right already; the
        // third asks for background on object.
        Click[] clicks = [Click.AtPixel(25, 20, ClickLabel.Foreground), Click.AtPixel(40, 20, ClickLabel.Background), Click.AtPixel(15, 20, ClickLabel.Background)];

        var j = AnswerJudgement.Of(Reference, shown, clicks);

        Assert.Equal(new AnswerJudgement(3, 1, FirstClickJudged: true, FirstClickCorrects: true, Accepted: false, AcceptedBad: false), j);
        var redundantFirst = AnswerJudgement.Of(Reference, shown, [Click.AtPixel(15, 20, ClickLabel.Foreground)]);
        Assert.Equal((1, 0, true, false), (redundantFirst.JudgedClicks, redundantFirst.WrongPolarityClicks, redundantFirst.FirstClickJudged, redundantFirst.FirstClickCorrects));
        var onTheEdge = AnswerJudgement.Of(Reference, shown, [Click.AtPixel(30, 20, ClickLabel.Foreground)]);
        Assert.Equal((0, false), (onTheEdge.JudgedClicks, onTheEdge.FirstClickJudged));
    }

    [Fact]
    public void An_accepted_mask_is_good_from_an_IoU_of_0_85()
    {
        Assert.Equal(new AnswerJudgement(0, 0, false, false, Accepted: true, AcceptedBad: true), AnswerJudgement.Of(Reference, Square(10, 10, 20, 30), []));
        // 19 of 20 columns: IoU 0.95.
        Assert.False(AnswerJudgement.Of(Reference, Square(10, 10, 29, 30), []).AcceptedBad);
    }
}
