using Grains;
using Grains.Interfaces;
using static Backend.Tests.GrainTestHelpers;

namespace Backend.Tests;

/// <summary>Answers on instances with a reference mask are judged as they are recorded; the campaign flags the careless.</summary>
public sealed class AnnotatorQualityTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    const int Width = CanvasWidth, Height = CanvasHeight;

    // The reference covers x 10..29; the mask on screen misses its right half.
    static readonly SubmittedClick[] Careful =
        [new(24.5, 10.5, ClickPolarity.Foreground), new(24.5, 19.5, ClickPolarity.Foreground), new(26.5, 14.5, ClickPolarity.Foreground), new(22.5, 15.5, ClickPolarity.Foreground)];

    // Background clicks on object the mask already has right: each asks the model to make a pixel wrong.
    static readonly SubmittedClick[] Careless =
        [new(14.5, 10.5, ClickPolarity.Background), new(14.5, 19.5, ClickPolarity.Background), new(16.5, 14.5, ClickPolarity.Background), new(12.5, 15.5, ClickPolarity.Background)];

    /// <summary>
    /// A running campaign (external model) of <paramref name="count"/> instances i00, i01, ... whose round-0 mask misses the
    /// right half of the box; with <paramref name="withReference"/> each has the box as its reference mask.
    /// </summary>
    async Task<(string CampaignId, ICampaignGrain Campaign)> RunningCampaign(string prefix, int count, bool withReference, int rounds = 1)
    {
        var campaignId = NewId(prefix);
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(campaignId);
        await campaign.Create(new CampaignSettings { Rounds = rounds, MaxClicksPerRound = 4, ShardCount = 1, ModelName = ModelNames.External });
        await campaign.BeginImport();
        var truth = withReference ? Rect(10, 5, 30, 25).ToWire() : null;
        await campaign.ImportInstances(Enumerable.Range(0, count).Select(i =>
            new InstanceImport($"i{i:D2}", "a.jpg", Width, Height, new BoxD(10, 5, 30, 25), "box", GroundTruth: truth)).ToArray());
        for (var i = 0; i < count; i++)
            await Instance(campaignId, i).SetModelMask(0, Rect(10, 5, 20, 25).ToWire());
        await campaign.Start();
        return (campaignId, campaign);
    }

    IInstanceGrain Instance(string campaignId, int index) => fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, $"i{index:D2}"));

    async Task<(string Id, IAnnotatorGrain Grain)> QualifiedAnnotator(string prefix = "a")
    {
        var id = NewId(prefix);
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(id);
        await annotator.SetQualified(true);
        return (id, annotator);
    }

    [Fact]
    public async Task Clicks_on_reference_instances_are_judged_and_the_careless_annotator_alone_is_flagged()
    {
        var (campaignId, campaign) = await RunningCampaign("quality", 21, withReference: true);

        var ids = Enumerable.Range(1, 5).Select(i => NewId($"a{i}")).ToArray();
        for (var a = 0; a < 4; a++)
        {
            var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(ids[a]);
            await annotator.SetQualified(true);
            for (var k = 0; k < 5; k++)
            {
                var work = (await annotator.RequestWork(campaignId))!;
                var submission = new Submission($"s{a}-{k}", ids[a], 1, a == 3 ? Careless : Careful, false, 2 + a);
                // The annotator is never told how the answer did against the reference.
                Assert.Null((await annotator.Submit(work.InstanceKey, submission)).Quality);
                // A repeated submission is recorded once.
                await annotator.Submit(work.InstanceKey, submission);
            }
        }
        var accepting = fixture.Grains.GetGrain<IAnnotatorGrain>(ids[4]);
        await accepting.SetQualified(true);
        var last = (await accepting.RequestWork(campaignId))!;
        await accepting.Submit(last.InstanceKey, new Submission("accept", ids[4], 1, [], false, 1));

        var table = (await campaign.GetAnnotatorQuality()).ToDictionary(q => q.AnnotatorId);
        Assert.Equal(5, table.Count);
        foreach (var careful in ids[..3])
        {
            var q = table[careful];
            Assert.Equal((5L, 0L, 20L, (double?)1.0, 5L, (double?)1.0, false),
                (q.Answers, q.Skips, q.JudgedClicks, q.RightPolarityShare, q.FirstClicksJudged, q.FirstClickCorrectingShare, q.Flagged));
        }
        var careless = table[ids[3]];
        Assert.Equal((20L, (double?)0.0, (double?)0.0, true), (careless.JudgedClicks, careless.RightPolarityShare, careless.FirstClickCorrectingShare, careless.Flagged));
        Assert.Equal(5.0, careless.SecondsPerAnswer);
        // The accepted mask covers half the reference (IoU 0.5): accepted although not good.
        var accepted = table[ids[4]];
        Assert.Equal((0L, (double?)null, 1L, (double?)1.0, false),
            (accepted.JudgedClicks, accepted.RightPolarityShare, accepted.AcceptedWithReference, accepted.AcceptedBadShare, accepted.Flagged));
    }

    [Fact]
    public async Task The_IoU_a_corrective_round_adds_is_counted_per_click_once_its_next_mask_is_made()
    {
        // The round-0 mask has IoU 0.5 with the reference.
        var (campaignId, campaign) = await RunningCampaign("gain", 1, withReference: true, rounds: 2);
        var instance = Instance(campaignId, 0);
        var (id, annotator) = await QualifiedAnnotator();
        var work = (await annotator.RequestWork(campaignId))!;
        await annotator.Submit(work.InstanceKey, new Submission("s1", id, 1, Careful, false, 3));
        Assert.Equal((0L, (double?)null), Gain(await campaign.GetAnnotatorQuality()));

        // The model's next mask is the reference: the round added 0.5 with 4 clicks. Set again, it adds nothing twice.
        await instance.SetModelMask(1, Rect(10, 5, 30, 25).ToWire());
        await instance.SetModelMask(1, Rect(10, 5, 30, 25).ToWire());

        Assert.Equal((1L, (double?)0.125), Gain(await campaign.GetAnnotatorQuality()));

        static (long, double?) Gain(IReadOnlyList<AnnotatorQualitySummary> table) => (table.Single().RoundsWithGain, table.Single().IouGainPerClick);
    }

    [Fact]
    public async Task Suspending_an_annotator_gives_their_open_work_back_to_the_queue_and_refuses_their_answer_to_it()
    {
        var (campaignId, _) = await RunningCampaign("suspend", 1, withReference: false);
        var instance = Instance(campaignId, 0);
        var (id, annotator) = await QualifiedAnnotator();
        var work = (await annotator.RequestWork(campaignId))!;
        Assert.Equal(InstanceStatus.Leased, (await instance.GetState()).Status);

        await annotator.SetQualified(false);

        Assert.Null(await annotator.GetLease());
        Assert.Equal(InstanceStatus.Queued, (await instance.GetState()).Status);
        var queue = await fixture.Grains.GetGrain<IWorkQueueGrain>(AnnotationKeys.WorkQueue(campaignId, 1, 0)).GetSummary();
        Assert.Equal((1, 0), (queue.Waiting, queue.Leased));
        var refused = await Assert.ThrowsAsync<AnnotationRejectedException>(() =>
            annotator.Submit(work.InstanceKey, new Submission("late", id, 1, Careful, false, 3)));
        Assert.Equal(RejectionCodes.LeaseNotHeld, refused.Code);
        // Another annotator gets the instance.
        var (_, other) = await QualifiedAnnotator("b");
        Assert.Equal(work.InstanceKey, (await other.RequestWork(campaignId))!.InstanceKey);
    }

    [Fact]
    public async Task Without_reference_masks_nothing_is_judged_and_nobody_is_flagged()
    {
        var (campaignId, campaign) = await RunningCampaign("noref", 1, withReference: false);
        var (id, annotator) = await QualifiedAnnotator();
        var work = (await annotator.RequestWork(campaignId))!;
        await annotator.Submit(work.InstanceKey, new Submission("s", id, 1, Careless, false, 3));

        var q = Assert.Single(await campaign.GetAnnotatorQuality());
        Assert.Equal((1L, 0L, (double?)null, false), (q.Answers, q.JudgedClicks, q.RightPolarityShare, q.Flagged));
    }
}
