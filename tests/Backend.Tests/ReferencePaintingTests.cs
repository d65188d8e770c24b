using Grains;
using Grains.Interfaces;
using static Backend.Tests.GrainTestHelpers;

namespace Backend.Tests;

/// <summary>Reference masks painted from scratch: picked instances, painting leases, the reference they make and what it feeds.</summary>
public sealed class ReferencePaintingTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    const int Width = CanvasWidth, Height = CanvasHeight;
    static readonly MaskRle Painted = Rect(10, 5, 30, 25).ToWire();
    static readonly MaskRle RoundZero = Rect(10, 5, 20, 25).ToWire();

    /// <summary>A running campaign (external model) of <paramref name="count"/> instances i00, i01, ... that all want painting.</summary>
    async Task<(string CampaignId, ICampaignGrain Campaign)> RunningCampaign(string prefix, int count, double doublePainting = 0, int rounds = 1,
        double goldRate = 0)
    {
        var campaignId = NewId(prefix);
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(campaignId);
        await campaign.Create(new CampaignSettings
        {
            Rounds = rounds, MaxClicksPerRound = 4, ShardCount = 1, ModelName = ModelNames.External,
            ReferenceFraction = 1, DoublePaintingFraction = doublePainting, GoldRate = goldRate,
        });
        await campaign.BeginImport();
        await campaign.ImportInstances(Enumerable.Range(0, count).Select(i =>
            new InstanceImport($"i{i:D2}", "a.jpg", Width, Height, new BoxD(10, 5, 30, 25), "box")).ToArray());
        for (var i = 0; i < count; i++)
            await Instance(campaignId, i).SetModelMask(0, RoundZero);
        await campaign.Start();
        return (campaignId, campaign);
    }

    IInstanceGrain Instance(string campaignId, int index) => fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, $"i{index:D2}"));

    async Task<(string Id, IAnnotatorGrain Grain)> Painter(string prefix = "p")
    {
        var id = NewId(prefix);
        var painter = fixture.Grains.GetGrain<IAnnotatorGrain>(id);
        await painter.SetPaintingQualified(true);
        return (id, painter);
    }

    static PaintingSubmission Paint(string submissionId, string painterId, MaskRle mask) => new(submissionId, painterId, 0, mask, 40);

    [Fact]
    public async Task The_first_painting_is_the_reference_and_a_second_painter_paints_it_again()
    {
        var (campaignId, _) = await RunningCampaign("paint", 1, doublePainting: 1);
        var (firstId, first) = await Painter("p1");
        var (secondId, second) = await Painter("p2");

        var task = (await first.RequestPainting(campaignId))!;
        Assert.Equal((AnnotationKeys.Instance(campaignId, "i00"), 1, "box"), (task.InstanceKey, task.Pass, task.Spec.ClassName));
        var result = await first.SubmitPainting(task.InstanceKey, Paint("s1", firstId, Painted));
        Assert.Equal((1, true, false), (result.Paintings, result.HasReference, result.Skipped));
        // Repeated: the same result, nothing added.
        Assert.Equal(result, await first.SubmitPainting(task.InstanceKey, Paint("s1", firstId, Painted)));

        // The first painter is not given the second pass of what they painted; the second painter is.
        Assert.Null(await first.RequestPainting(campaignId));
        var again = (await second.RequestPainting(campaignId))!;
        Assert.Equal((task.InstanceKey, 2), (again.InstanceKey, again.Pass));
        var other = Rect(11, 5, 30, 25).ToWire();
        Assert.Equal(2, (await second.SubmitPainting(again.InstanceKey, Paint("s2", secondId, other))).Paintings);

        var reference = await Instance(campaignId, 0).GetReference();
        Assert.Equal((Painted, true, 2), (reference.Reference, reference.Painted, reference.PaintingsWanted));
        // The quality report: the round-0 mask covers half the reference; the two painters agree on 19 of 20 columns.
        var report = await fixture.Grains.GetGrain<ICampaignGrain>(campaignId).GetReferenceQuality();
        Assert.Equal((1, 0, 0.5), (report.References, report.Rounds[0].Round, Math.Round(report.Rounds[0].MeanIoU, 9)));
        Assert.Equal(("box", 1), (report.Classes.Single().ClassName, report.Classes.Single().Instances));
        Assert.Equal((1, 0.95), (report.Agreement!.Instances, Math.Round(report.Agreement.MeanIoU, 9)));
        Assert.Equal([(1, firstId), (2, secondId)], reference.Paintings.Select(p => (p.Pass, p.PainterId)));
        Assert.Null(await second.RequestPainting(campaignId));
    }

    [Fact]
    public async Task A_bad_painting_is_refused_by_name_and_changes_nothing()
    {
        var (campaignId, _) = await RunningCampaign("badpaint", 1);
        var (id, painter) = await Painter();
        var task = (await painter.RequestPainting(campaignId))!;

        var empty = await Assert.ThrowsAsync<AnnotationRejectedException>(() =>
            painter.SubmitPainting(task.InstanceKey, Paint("e", id, new Segmentation.Masks.BinaryMask(Width, Height).ToWire())));
        Assert.Equal((RejectionCodes.InvalidMask, "mask"), (empty.Code, empty.Field));
        var wrongSize = await Assert.ThrowsAsync<AnnotationRejectedException>(() =>
            painter.SubmitPainting(task.InstanceKey, Paint("w", id, Painted with { Width = Width + 1 })));
        Assert.Equal((RejectionCodes.InvalidMask, "mask"), (wrongSize.Code, wrongSize.Field));
        var noReason = await Assert.ThrowsAsync<AnnotationRejectedException>(() =>
            painter.SubmitPainting(task.InstanceKey, new PaintingSubmission("n", id, 0, null, 3)));
        Assert.Equal("reason", noReason.Field);

        Assert.Empty((await Instance(campaignId, 0).GetReference()).Paintings);
        Assert.Equal(task.InstanceKey, (await painter.GetLease())!.InstanceKey);
        // Still leased to the painter: the good answer goes through.
        Assert.True((await painter.SubmitPainting(task.InstanceKey, Paint("ok", id, Painted))).HasReference);
    }

    [Fact]
    public async Task Painting_needs_its_own_qualification_and_one_lease_at_a_time_over_both_kinds_of_work()
    {
        var (campaignId, _) = await RunningCampaign("lease", 2);
        var id = NewId("a");
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(id);
        await annotator.SetQualified(true);
        var refused = await Assert.ThrowsAsync<AnnotationRejectedException>(() => annotator.RequestPainting(campaignId));
        Assert.Equal(RejectionCodes.NotQualified, refused.Code);

        await annotator.SetPaintingQualified(true);
        var work = (await annotator.RequestWork(campaignId))!;
        var busy = await Assert.ThrowsAsync<AnnotationRejectedException>(() => annotator.RequestPainting(campaignId));
        Assert.Equal(RejectionCodes.LeaseNotHeld, busy.Code);
        Assert.True(await annotator.ReleaseWork());

        var painting = (await annotator.RequestPainting(campaignId))!;
        await Assert.ThrowsAsync<AnnotationRejectedException>(() => annotator.RequestWork(campaignId));
        // Withdrawing the painting qualification gives the painting task back; another painter gets it.
        await annotator.SetPaintingQualified(false);
        Assert.Null(await annotator.GetLease());
        var (_, other) = await Painter();
        Assert.Equal(painting.InstanceKey, (await other.RequestPainting(campaignId))!.InstanceKey);
        // Annotation work again (the queue never offers the released instance to the same annotator twice in a round).
        Assert.NotEqual(work.InstanceKey, (await annotator.RequestWork(campaignId))!.InstanceKey);
    }

    [Fact]
    public async Task A_reference_painted_after_the_round_finished_trains_the_quality_model_and_judges_later_answers()
    {
        var (campaignId, campaign) = await RunningCampaign("late", 2, rounds: 2);
        var id = NewId("a");
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(id);
        await annotator.SetQualified(true);
        // Round 1 of i00 is answered before any reference exists.
        var work = (await annotator.RequestWork(campaignId))!;
        var first = work.InstanceKey;
        await annotator.Submit(first, new Submission("r1", id, 1, [new(24.5, 15.5, ClickPolarity.Foreground)], false, 4));
        await fixture.Grains.GetGrain<IInstanceGrain>(first).SetModelMask(1, Rect(10, 5, 28, 25).ToWire());
        var ranking = fixture.Grains.GetGrain<IRankingGrain>(campaignId);
        Assert.Equal(0, (await ranking.GetSummary()).Examples);

        var (painterId, painter) = await Painter();
        for (var k = 0; k < 2; k++)
        {
            var task = (await painter.RequestPainting(campaignId))!;
            await painter.SubmitPainting(task.InstanceKey, Paint($"p{k}", painterId, Painted));
        }
        // The finished round of the first instance is now an example for M_r (the other has no finished round yet).
        Assert.Equal(1, (await ranking.GetSummary()).Examples);

        // An answer after the reference arrived is judged against it.
        var next = (await annotator.RequestWork(campaignId))!;
        await annotator.Submit(next.InstanceKey, new Submission("r2", id, next.Round, [new(26.5, 15.5, ClickPolarity.Foreground)], false, 3));
        var quality = (await campaign.GetAnnotatorQuality()).Single(q => q.AnnotatorId == id);
        Assert.Equal((1L, (double?)1.0), (quality.JudgedClicks, quality.RightPolarityShare));
    }

    [Fact]
    public async Task Gold_tasks_look_like_round_one_are_scored_against_the_painting_and_leave_the_instance_alone()
    {
        var (campaignId, campaign) = await RunningCampaign("gold", 8, rounds: 2, goldRate: CampaignGrain.MaxGoldRate);
        var (painterId, painter) = await Painter();
        while (await painter.RequestPainting(campaignId) is { } task)
            await painter.SubmitPainting(task.InstanceKey, Paint($"p-{AnnotationKeys.ParseInstance(task.InstanceKey).InstanceId}", painterId, Painted));

        var id = NewId("a");
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(id);
        await annotator.SetQualified(true);
        SubmittedClick[] careful = [new(24.5, 15.5, ClickPolarity.Foreground), new(26.5, 12.5, ClickPolarity.Foreground)];
        var golds = 0;
        var goldKeys = new HashSet<string>();
        for (var k = 0; k < 12 && golds < 2; k++)
        {
            var work = (await annotator.RequestWork(campaignId))!;
            var instance = fixture.Grains.GetGrain<IInstanceGrain>(work.InstanceKey);
            if ((await annotator.GetLease())!.Gold)
            {
                golds++;
                // As the instance's round 1 showed it: the box model's mask, no clicks.
                Assert.Equal((1, RoundZero, 0), (work.Round, work.CurrentMask, work.EarlierClicks.Count));
                var before = await instance.GetState();
                var submission = new Submission($"g{k}", id, 1, careful, false, 5);
                var result = await annotator.Submit(work.InstanceKey, submission);
                Assert.Equal((SubmissionOutcome.NeedsModel, InstanceStatus.WaitingForModel, (AnswerQuality?)null), (result.Outcome, result.StatusAfter, result.Quality));
                Assert.Equal(result, await annotator.Submit(work.InstanceKey, submission));
                var after = await instance.GetState();
                Assert.Equal((before.Status, before.CurrentRound, before.Answers.Count), (after.Status, after.CurrentRound, after.Answers.Count));
                goldKeys.Add(work.InstanceKey);
            }
            else
            {
                await annotator.Submit(work.InstanceKey, new Submission($"r{k}", id, work.Round, [], false, 2));
            }
        }
        // Each gold instance once: the annotator walks them in order.
        Assert.Equal((2, 2), (golds, goldKeys.Count));
        var quality = (await campaign.GetAnnotatorQuality()).Single(q => q.AnnotatorId == id);
        // External masks: no model to measure the clicks' gain with.
        Assert.Equal((2L, 0L, 4L, (double?)1.0, (double?)null), (quality.GoldAnswers, quality.GoldSkips, quality.JudgedClicks, quality.RightPolarityShare, quality.GoldIouGainPerClick));
    }

    [Fact]
    public async Task Nobody_corrects_what_they_painted_nor_paints_what_they_annotated_nor_reuses_another_painters_submission_id()
    {
        var (campaignId, _) = await RunningCampaign("apart", 1, doublePainting: 1, rounds: 2);
        var (painterId, painter) = await Painter("p1");
        await painter.SetQualified(true);
        var task = (await painter.RequestPainting(campaignId))!;
        await painter.SubmitPainting(task.InstanceKey, Paint("same-id", painterId, Painted));
        // The only instance was painted by them: no correction work for them, but for someone else.
        Assert.Null(await painter.RequestWork(campaignId));
        var annotatorId = NewId("a");
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(annotatorId);
        await annotator.SetQualified(true);
        await annotator.SetPaintingQualified(true);
        var work = (await annotator.RequestWork(campaignId))!;
        await annotator.Submit(work.InstanceKey, new Submission("r1", annotatorId, 1, [new(24.5, 15.5, ClickPolarity.Foreground)], false, 3));
        // They annotated it: the second painting must come from someone else.
        Assert.Null(await annotator.RequestPainting(campaignId));

        var (secondId, second) = await Painter("p2");
        var again = (await second.RequestPainting(campaignId))!;
        var reused = await Assert.ThrowsAsync<AnnotationRejectedException>(() => second.SubmitPainting(again.InstanceKey, Paint("same-id", secondId, Painted)));
        Assert.Equal((RejectionCodes.Invalid, "submissionId"), (reused.Code, reused.Field));
        Assert.Equal(2, (await second.SubmitPainting(again.InstanceKey, Paint("own-id", secondId, Painted))).Paintings);
    }

    [Fact]
    public void The_reference_fraction_picks_instances_by_a_stable_hash()
    {
        var spec = new InstanceSpec("a.jpg", 10, 10, new BoxD(0, 0, 5, 5), "c", 3, 4, 1, ReferenceFraction: 0.1, DoublePaintingFraction: 0.5);
        var wanted = Enumerable.Range(0, 4000).Select(i => PaintingRules.PaintingsWanted($"x{i}", spec)).ToArray();
        Assert.InRange(wanted.Count(w => w > 0), 340, 460);
        Assert.InRange(wanted.Count(w => w == 2), 140, 260);
        Assert.Equal(wanted, Enumerable.Range(0, 4000).Select(i => PaintingRules.PaintingsWanted($"x{i}", spec)));
        Assert.All(Enumerable.Range(0, 100), i => Assert.Equal(0, PaintingRules.PaintingsWanted($"x{i}", spec with { ReferenceFraction = 0 })));
    }
}
