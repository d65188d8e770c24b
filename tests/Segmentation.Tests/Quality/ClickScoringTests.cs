using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Models;
using Segmentation.Quality;
using Segmentation.Simulation;

namespace Segmentation.Tests.Quality;

public sealed class ClickScoringTests
{
    static BinaryMask Square(int x0, int y0, int x1, int y1) => BinaryMask.FromPredicate(60, 40, (x, y) => x >= x0 && x < x1 && y >= y0 && y < y1);

    [Fact]
    public void A_click_corrects_only_in_a_true_error_region_with_the_polarity_it_needs()
    {
        var reference = Square(10, 10, 30, 30);
        // The mask on screen misses the reference's right half and wrongly covers a patch right of it.
        var shown = Square(10, 10, 20, 30).Or(Square(40, 10, 50, 20));
        Click[] clicks =
        [
            Click.AtPixel(25, 20, ClickLabel.Foreground), // missed object, foreground: corrects
            Click.AtPixel(45, 15, ClickLabel.Background), // wrongly covered, background: corrects
            Click.AtPixel(15, 20, ClickLabel.Foreground), // object already covered: redundant
            Click.AtPixel(5, 5, ClickLabel.Background),   // background already excluded: redundant
            Click.AtPixel(25, 20, ClickLabel.Background), // missed object, background: contradicts
            Click.AtPixel(45, 15, ClickLabel.Foreground), // wrongly covered, foreground: contradicts
            Click.AtPixel(30, 20, ClickLabel.Foreground), // one pixel outside the reference's edge: not judged
        ];

        var verdicts = ClickScoring.Score(reference, shown, clicks);

        Assert.Equal(
            [ClickVerdict.Corrects, ClickVerdict.Corrects, ClickVerdict.Redundant, ClickVerdict.Redundant,
             ClickVerdict.Contradicts, ClickVerdict.Contradicts, ClickVerdict.Unjudged],
            verdicts);
        // With no tolerance the edge click is judged: background pixel, foreground click.
        Assert.Equal(ClickVerdict.Contradicts, ClickScoring.Score(reference, shown, [clicks[^1]], boundaryTolerancePx: 0).Single());
    }

    [Fact]
    public void Clicks_in_the_ignored_area_or_outside_the_image_are_not_judged_and_sizes_must_agree()
    {
        var reference = Square(10, 10, 30, 30);
        var ignore = Square(0, 0, 8, 8);
        var verdicts = ClickScoring.Score(reference, new BinaryMask(60, 40),
            [Click.AtPixel(3, 3, ClickLabel.Foreground), new Click(-1, 5, ClickLabel.Foreground), new Click(60.5, 5, ClickLabel.Background)], ignore: ignore);
        Assert.All(verdicts, v => Assert.Equal(ClickVerdict.Unjudged, v));
        Assert.ThrowsAny<ArgumentException>(() => ClickScoring.Score(reference, new BinaryMask(59, 40), []));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClickScoring.Score(reference, reference, [], boundaryTolerancePx: double.NaN));
    }

    [Fact]
    public void On_real_objects_a_careful_annotator_corrects_with_every_judged_click_and_a_careless_one_with_far_fewer()
    {
        var careful = new ClickSimulator();
        int judgedCareful = 0, correctingCareful = 0, judgedCareless = 0, correctingCareless = 0;
        foreach (var index in Enumerable.Range(0, 40).Select(i => i * 8))
        {
            var reference = ImageCodec.ReadMask(TestData.DavisMask(index));
            var b = reference.BoundingBox()!.Value;
            var box = new BoxF(b.X, b.Y, b.Right, b.Bottom);
            // The round-1 screen: the box model's mask.
            var shown = BoxMaskModel.Mask(box, reference.Width, reference.Height).ToMask();
            var rng = new Random(index);
            var good = careful.CorrectiveClicks(reference, shown, 4, rng);
            var bad = CarelessClicks.Draw(box, shown, good.Count, rng);
            Tally(ClickScoring.Score(reference, shown, good), ref judgedCareful, ref correctingCareful);
            Tally(ClickScoring.Score(reference, shown, bad), ref judgedCareless, ref correctingCareless);
        }

        Assert.True(judgedCareful >= 80, $"only {judgedCareful} careful clicks judged");
        Assert.Equal(judgedCareful, correctingCareful);
        var carelessShare = (double)correctingCareless / judgedCareless;
        // On the box mask every careless click is a background click; it corrects only where the box holds no object.
        Assert.InRange(carelessShare, 0.05, 0.7);
    }

    static void Tally(IReadOnlyList<ClickVerdict> verdicts, ref int judged, ref int correcting)
    {
        judged += verdicts.Count(v => v != ClickVerdict.Unjudged);
        correcting += verdicts.Count(v => v == ClickVerdict.Corrects);
    }
}
