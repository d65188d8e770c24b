using Segmentation.Evaluation;
using Segmentation.Evaluation.Datasets;
using Segmentation.Masks;
using Segmentation.Models;
using Segmentation.Models.Sam;
using Segmentation.Simulation;

namespace Segmentation.Tests.Sam;

public sealed class SamJudgedChoiceTests(MiniSamFixture fixture) : IClassFixture<MiniSamFixture>
{
    [Fact]
    public void A_choice_judged_by_the_truth_is_never_worse_than_the_runners_own_answer()
    {
        using var model = new SamModel(fixture.Paths);
        using var image = model.Prepare(fixture.Image);
        var (first, clicks, prompt) = FirstCorrection(model, image, "judged");
        double Truth(BinaryMask m) => MaskMetrics.IoU(m, fixture.Truth);

        var own = model.Predict(image, prompt);
        var previousShown = ClickEnforcement.Apply(first.Mask, clicks, model.Options.EnforceClicksRadius!.Value).Mask;
        var judgedKeptOrOwn = model.PredictJudged(image, prompt, Truth, JudgedChoice.AcceptOrKeep);
        var keptOrOwn = judgedKeptOrOwn.Prediction;
        var any = model.PredictJudged(image, prompt, Truth, JudgedChoice.AnyAnswer).Prediction;

        Assert.Equal(Math.Max(Truth(own.Mask), Truth(previousShown)), Truth(keptOrOwn.Mask), 9);
        Assert.Equal(Truth(previousShown) > Truth(own.Mask) ? JudgedPicks.PreviousMask : JudgedPicks.OwnAnswer, judgedKeptOrOwn.Pick);
        Assert.True(Truth(any.Mask) >= Truth(keptOrOwn.Mask), $"any answer {Truth(any.Mask):F4} against {Truth(keptOrOwn.Mask):F4}");
        Assert.Equal(0, ClickAgreement.Violations(any.Mask, clicks));
        // A judge preferring the worst mask finds a worse one among all answers than between the own answer and the kept mask:
        // the other ways of asking really are among the choices.
        double Worst(BinaryMask m) => -Truth(m);
        var worstOfTwo = model.PredictJudged(image, prompt, Worst, JudgedChoice.AcceptOrKeep).Prediction;
        var worstOfAll = model.PredictJudged(image, prompt, Worst, JudgedChoice.AnyAnswer);
        Assert.True(Truth(worstOfAll.Prediction.Mask) < Truth(worstOfTwo.Mask), $"worst of all {Truth(worstOfAll.Prediction.Mask):F4}, of the two {Truth(worstOfTwo.Mask):F4}");
        Assert.DoesNotContain(worstOfAll.Pick, new[] { JudgedPicks.OwnAnswer, JudgedPicks.PreviousMask });
        Assert.Equal(prompt.Clicks.Count, ((SamState)any.State!).ClicksSeen);
    }

    [Fact]
    public void A_judge_preferring_the_previous_mask_keeps_it_with_the_click_discs_and_its_score()
    {
        using var model = new SamModel(fixture.Paths);
        using var image = model.Prepare(fixture.Image);
        var (first, clicks, prompt) = FirstCorrection(model, image, "judged");
        var shownIfKept = ClickEnforcement.Apply(first.Mask, clicks, model.Options.EnforceClicksRadius!.Value).Mask;
        double PrefersKept(BinaryMask m) => m.Equals(shownIfKept) ? 1 : 0;

        var own = model.Predict(image, prompt);
        Assert.NotEqual(shownIfKept, own.Mask);
        var judged = model.PredictJudged(image, prompt, PrefersKept, JudgedChoice.AcceptOrKeep);
        var kept = judged.Prediction;

        Assert.Equal(JudgedPicks.PreviousMask, judged.Pick);
        Assert.Equal(shownIfKept, kept.Mask);
        Assert.Equal(first.ModelScore, kept.ModelScore);
        Assert.Equal(clicks.Count, ((SamState)kept.State!).ClicksSeen);
    }

    [Fact]
    public void When_the_runner_itself_keeps_a_trusted_mask_that_mask_is_its_own_answer_and_only_other_ways_can_replace_it()
    {
        // Settings under which every answer counts as a collapse of the previous mask, so the runner keeps it.
        var always = new SamOptions { TrustAboveScore = 0, TrustScoreDrop = -2, TrustChangeIoU = 1.01, EnforceClicksRadius = null, TrustFallback = TrustFallback.Keep };
        using var model = new SamModel(fixture.Paths, always);
        using var image = model.Prepare(fixture.Image);
        var (first, _, prompt) = FirstCorrection(model, image, "judged-keep");
        Assert.Equal(first.Mask, model.Predict(image, prompt).Mask);
        double AnythingElse(BinaryMask m) => m.Equals(first.Mask) ? 0 : 1;

        var keptOrOwn = model.PredictJudged(image, prompt, AnythingElse, JudgedChoice.AcceptOrKeep);
        var any = model.PredictJudged(image, prompt, AnythingElse, JudgedChoice.AnyAnswer);

        Assert.Equal(first.Mask, keptOrOwn.Prediction.Mask);
        Assert.Equal(JudgedPicks.OwnAnswer, keptOrOwn.Pick);
        Assert.NotEqual(first.Mask, any.Prediction.Mask);
        Assert.DoesNotContain(any.Pick, new[] { JudgedPicks.OwnAnswer, JudgedPicks.PreviousMask });
        // The guard's mark belongs to the runner's own answer, not to one the judge put in its place.
        Assert.False(((SamState)any.Prediction.State!).DefendedAgainstClicks);
    }

    [Fact]
    public void An_observing_judge_scores_every_answer_but_the_runners_own_answer_stands()
    {
        using var model = new SamModel(fixture.Paths);
        using var image = model.Prepare(fixture.Image);
        var (first, clicks, prompt) = FirstCorrection(model, image, "judged");
        double Truth(BinaryMask m) => MaskMetrics.IoU(m, fixture.Truth);

        var own = model.Predict(image, prompt);
        var observed = model.PredictJudged(image, prompt, Truth, JudgedChoice.Observe);
        var any = model.PredictJudged(image, prompt, Truth, JudgedChoice.AnyAnswer);

        Assert.Equal(own.Mask, observed.Prediction.Mask);
        Assert.Equal(JudgedPicks.OwnAnswer, observed.Pick);
        Assert.Equal(JudgedPicks.OwnAnswer, observed.Options[0].Way);
        Assert.Equal(Truth(own.Mask), observed.Options[0].Value, 9);
        Assert.Equal(any.Options.Select(o => o.Way), observed.Options.Select(o => o.Way));
        // The best answer observed is the one the truth takes when it chooses.
        Assert.Equal(observed.Options.Max(o => o.Value), Truth(any.Prediction.Mask), 9);
        var kept = Assert.Single(observed.Options, o => o.Way == JudgedPicks.PreviousMask);
        Assert.True(kept.Features.PreviousMask);
        Assert.Equal(first.ModelScore!.Value, kept.Features.Score, 6);
        Assert.Equal(1, observed.Options[0].Features.IoUWithOwn);
        Assert.Equal(clicks.Count, observed.Options[0].Features.Clicks);
    }

    [Fact]
    public void A_learned_chooser_replaces_the_runners_own_answer_only_by_an_answer_it_estimates_better()
    {
        // A chooser that learned that keeping the previous mask gains and everything else loses.
        var examples = Enumerable.Range(0, 200).Select(i => new AnswerExample(new AnswerFeatures { PreviousMask = i % 2 == 0, Score = i / 200.0 }, i % 2 == 0 ? 0.3 : -0.3)).ToList();
        using var keepsPrevious = AnswerChooser.Train(examples, new AnswerChooserOptions { Trees = 20, MinExamplesPerLeaf = 5 });
        // And one that learned that an answer applied only near the new clicks gains, with two minimum gains.
        var near = Enumerable.Range(0, 200).Select(i => new AnswerExample(new AnswerFeatures { NearTheClicks = i % 2 == 0, Score = i / 200.0 }, i % 2 == 0 ? 0.3 : -0.3)).ToList();
        using var takesNear = AnswerChooser.Train(near, new AnswerChooserOptions { Trees = 20, MinExamplesPerLeaf = 5, MinGain = 0 });
        using var belowMinimum = AnswerChooser.Train(near, new AnswerChooserOptions { Trees = 20, MinExamplesPerLeaf = 5, MinGain = 0.5 });
        using var plainModel = new SamModel(fixture.Paths);
        using var image = plainModel.Prepare(fixture.Image);
        var (first, clicks, prompt) = FirstCorrection(plainModel, image, "judged");
        var own = plainModel.Predict(image, prompt);

        using var keeping = new SamModel(fixture.Paths, new SamOptions { AnswerChooser = keepsPrevious });
        using var keepingImage = keeping.Prepare(fixture.Image);
        var chosen = keeping.Predict(keepingImage, prompt);
        using var nearModel = new SamModel(fixture.Paths, new SamOptions { AnswerChooser = takesNear });
        using var nearImage = nearModel.Prepare(fixture.Image);
        var nearChosen = nearModel.Predict(nearImage, prompt);
        using var unsure = new SamModel(fixture.Paths, new SamOptions { AnswerChooser = belowMinimum });
        using var unsureImage = unsure.Prepare(fixture.Image);
        var notChosen = unsure.Predict(unsureImage, prompt);

        var previousShown = ClickEnforcement.Apply(first.Mask, clicks, plainModel.Options.EnforceClicksRadius!.Value).Mask;
        Assert.NotEqual(previousShown, own.Mask);
        Assert.Equal(previousShown, chosen.Mask);
        Assert.Equal(first.ModelScore, chosen.ModelScore);
        // An answer applied near the new clicks: a mask of its own, carrying the previous mask's score as the local merge does;
        // the same estimates below the chooser's minimum leave the runner's own answer.
        Assert.NotEqual(own.Mask, nearChosen.Mask);
        Assert.NotEqual(previousShown, nearChosen.Mask);
        Assert.Equal(first.ModelScore, nearChosen.ModelScore);
        Assert.Equal(0, ClickAgreement.Violations(nearChosen.Mask, clicks));
        Assert.Equal(own.Mask, notChosen.Mask);
    }

    [Fact]
    public void A_judged_choice_with_a_model_that_cannot_show_its_answers_fails_with_the_models_name()
    {
        using var model = new BoxMaskModel();
        using var image = model.Prepare(fixture.Image);
        var settings = new ProtocolSettings { JudgedChoice = JudgedChoice.AnyAnswer };

        var error = Assert.Throws<InvalidOperationException>(() =>
            Protocols.RunRounds(settings, model, image, "000", new InstanceTruth(fixture.Truth)));
        Assert.Contains(model.Name, error.Message);
    }

    /// <summary>The box mask of the fixture's object and the first round of corrective clicks on it.</summary>
    private (MaskPrediction First, IReadOnlyList<Click> Clicks, SegmentationPrompt Prompt) FirstCorrection(SamModel model, IPreparedImage image, string seedName)
    {
        var box = NoisyBoxSimulator.TightBox(fixture.Truth);
        var first = model.Predict(image, SegmentationPrompt.FromBox(box));
        var clicks = new ClickSimulator(new ClickSimulatorOptions()).CorrectiveClicks(fixture.Truth, first.Mask, 3, GaussianRandom.ForInstance(1, seedName), null);
        Assert.NotEmpty(clicks);
        return (first, clicks, new SegmentationPrompt(box, clicks, first.State));
    }
}
