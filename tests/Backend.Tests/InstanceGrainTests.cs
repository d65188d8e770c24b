using System.Text.Json;
using Grains;
using Grains.Interfaces;
using Segmentation.Masks;
using static Backend.Tests.GrainTestHelpers;

namespace Backend.Tests;

public sealed class InstanceGrainTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    const int Width = 100, Height = 80;
    static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    static InstanceSpec Spec(int rounds = 3, int maxClicks = 4, int shards = 2) =>
        new("images/cat.jpg", Width, Height, new BoxD(10, 20, 60, 70), "cat", rounds, maxClicks, shards);

    /// <summary>The box filled: what a trivial box model would answer.</summary>
    static MaskRle BoxMask() =>
        RleMask.FromMask(BinaryMask.FromPredicate(Width, Height, (x, y) => x >= 10 && x < 60 && y >= 20 && y < 70)).ToWire();

    sealed record Setup(string CampaignId, string InstanceId, IInstanceGrain Instance, IWorkQueueGrain Queue1);

    IWorkQueueGrain QueueOf(string campaignId, string instanceId, int round, int shards = 2) =>
        fixture.Grains.GetGrain<IWorkQueueGrain>(AnnotationKeys.WorkQueue(campaignId, round, ShardMap.ShardOf(instanceId, shards)));

    /// <summary>An instance with its box mask, queued for round 1 and leased to <paramref name="annotator"/>.</summary>
    async Task<Setup> LeasedInstance(string annotator = "alice", InstanceSpec? spec = null)
    {
        var campaign = NewId("c");
        var id = NewId("i");
        var instance = fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaign, id));
        Assert.True(await fixture.Cluster.ImportInstance(campaign, id, spec ?? Spec()));
        await instance.SetModelMask(0, BoxMask());
        var queue = QueueOf(campaign, id, 1);
        var lease = await queue.Lease(annotator, Long);
        Assert.Equal(id, lease?.InstanceId);
        await instance.MarkLeased(annotator, 1, lease!.ExpiresAt);
        return new Setup(campaign, id, instance, queue);
    }

    static Submission Answer(string id, int round = 1, string annotator = "alice", int clicks = 2, bool skip = false) =>
        new(id, annotator, round,
            Enumerable.Range(0, clicks).Select(i => new SubmittedClick(20 + i, 30 + i, i % 2 == 0 ? ClickPolarity.Foreground : ClickPolarity.Background)).ToArray(),
            skip, 12.5);

    static string Snapshot(InstanceView view) => JsonSerializer.Serialize(view);

    [Fact]
    public async Task Box_mask_queues_the_instance_for_round_one()
    {
        var campaign = NewId("c");
        var id = NewId("i");
        var instance = fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaign, id));
        Assert.True(await fixture.Cluster.ImportInstance(campaign, id, Spec()));
        Assert.False(await fixture.Cluster.ImportInstance(campaign, id, Spec()));
        Assert.Equal(InstanceStatus.WaitingForModel, (await instance.GetState()).Status);

        var view = await instance.SetModelMask(0, BoxMask());

        Assert.Equal(InstanceStatus.Queued, view.Status);
        Assert.Equal(1, view.CurrentRound);
        Assert.Equal(1, (await QueueOf(campaign, id, 1).GetSummary()).Waiting);
    }

    [Fact]
    public async Task Full_cycle_clicks_then_model_mask_then_zero_clicks_is_done()
    {
        var s = await LeasedInstance();

        var first = await s.Instance.Submit(Answer("s1"));
        Assert.Equal(SubmissionOutcome.NeedsModel, first.Outcome);
        Assert.Equal(InstanceStatus.WaitingForModel, first.StatusAfter);
        Assert.Equal(new WorkQueueSummary(0, 0, 1, 0, 0, 0), await s.Queue1.GetSummary());

        var afterMask = await s.Instance.SetModelMask(1, BoxMask());
        Assert.Equal(InstanceStatus.Queued, afterMask.Status);
        Assert.Equal(2, afterMask.CurrentRound);

        var queue2 = QueueOf(s.CampaignId, s.InstanceId, 2);
        var lease = await queue2.Lease("bob", Long);
        await s.Instance.MarkLeased("bob", 2, lease!.ExpiresAt);
        var accept = await s.Instance.Submit(Answer("s2", round: 2, annotator: "bob", clicks: 0));

        Assert.Equal(SubmissionOutcome.Accepted, accept.Outcome);
        var view = await s.Instance.GetState();
        Assert.Equal(InstanceStatus.Done, view.Status);
        Assert.Equal([0, 1], view.Masks.Select(m => m.Round));
        Assert.Equal(2, view.Clicks.Count);
        Assert.All(view.Clicks, c => Assert.Equal(1, c.Round));
        Assert.Equal(["alice", "bob"], view.Answers.Select(a => a.AnnotatorId));
        Assert.Equal(new WorkQueueSummary(0, 0, 0, 1, 0, 0), await queue2.GetSummary());
    }

    [Fact]
    public async Task Mask_after_the_last_round_finishes_the_instance()
    {
        var s = await LeasedInstance(spec: Spec(rounds: 1));
        await s.Instance.Submit(Answer("s1"));

        var view = await s.Instance.SetModelMask(1, BoxMask());

        Assert.Equal(InstanceStatus.Done, view.Status);
    }

    [Fact]
    public async Task Repeated_submission_id_returns_the_first_result_and_changes_nothing()
    {
        var s = await LeasedInstance();
        var first = await s.Instance.Submit(Answer("same", clicks: 3));
        var before = Snapshot(await s.Instance.GetState());

        var again = await s.Instance.Submit(Answer("same", clicks: 1, skip: false));
        var replayWithOtherContent = await s.Instance.Submit(Answer("same", clicks: 0, skip: true));

        Assert.Equal(first, again);
        Assert.Equal(first, replayWithOtherContent);
        Assert.Equal(before, Snapshot(await s.Instance.GetState()));
        Assert.Equal(new WorkQueueSummary(0, 0, 1, 0, 0, 0), await s.Queue1.GetSummary());
    }

    public static TheoryData<string, Func<Submission>, string, string> BadSubmissions => new()
    {
        { "wrong round", () => Answer("bad", round: 2), RejectionCodes.WrongRound, "round" },
        { "too many clicks", () => Answer("bad", clicks: 5), RejectionCodes.TooManyClicks, "clicks" },
        { "someone else's lease", () => Answer("bad", annotator: "mallory"), RejectionCodes.LeaseNotHeld, "annotatorId" },
        { "click right of the image", () => Answer("bad", clicks: 0) with { Clicks = [new SubmittedClick(5, 5, ClickPolarity.Foreground), new SubmittedClick(Width, 5, ClickPolarity.Foreground)] }, RejectionCodes.ClickOutsideImage, "clicks[1]" },
        { "click above the image", () => Answer("bad", clicks: 0) with { Clicks = [new SubmittedClick(5, -0.1, ClickPolarity.Background)] }, RejectionCodes.ClickOutsideImage, "clicks[0]" },
        { "NaN click", () => Answer("bad", clicks: 0) with { Clicks = [new SubmittedClick(double.NaN, 3, ClickPolarity.Background)] }, RejectionCodes.ClickOutsideImage, "clicks[0]" },
        { "skip with clicks", () => Answer("bad", clicks: 1, skip: true), RejectionCodes.Invalid, "clicks" },
        { "negative seconds", () => Answer("bad") with { SecondsSpent = -1 }, RejectionCodes.Invalid, "secondsSpent" },
        { "empty submission id", () => Answer(""), RejectionCodes.Invalid, "submissionId" },
    };

    [Theory]
    [MemberData(nameof(BadSubmissions))]
    public async Task Bad_submission_is_rejected_and_changes_nothing(string what, Func<Submission> submission, string code, string field)
    {
        var s = await LeasedInstance();
        var before = Snapshot(await s.Instance.GetState());
        var queueBefore = await s.Queue1.GetSummary();

        var e = await Assert.ThrowsAsync<AnnotationRejectedException>(() => s.Instance.Submit(submission()));

        Assert.True(code == e.Code, $"{what}: code {e.Code}, expected {code}");
        Assert.Equal(field, e.Field);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.Equal(before, Snapshot(await s.Instance.GetState()));
        Assert.Equal(queueBefore, await s.Queue1.GetSummary());

        // and the id of a rejected submission is not burnt: a corrected answer with it is accepted
        if (code != RejectionCodes.Invalid || field != "submissionId")
            Assert.Equal(SubmissionOutcome.NeedsModel, (await s.Instance.Submit(Answer("bad"))).Outcome);
    }

    [Fact]
    public async Task A_lapsed_lease_no_longer_allows_submitting()
    {
        var campaign = NewId("c");
        var id = NewId("i");
        var instance = fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaign, id));
        await fixture.Cluster.ImportInstance(campaign, id, Spec());
        await instance.SetModelMask(0, BoxMask());
        var lease = await QueueOf(campaign, id, 1).Lease("alice", TimeSpan.FromMilliseconds(200));
        await instance.MarkLeased("alice", 1, lease!.ExpiresAt);
        await Task.Delay(400);
        var before = Snapshot(await instance.GetState());

        var e = await Assert.ThrowsAsync<AnnotationRejectedException>(() => instance.Submit(Answer("late")));

        Assert.Equal(RejectionCodes.LeaseNotHeld, e.Code);
        Assert.Equal(InstanceStatus.Queued, (await instance.GetState()).Status);
        Assert.Equal(before, Snapshot(await instance.GetState()));
    }

    [Fact]
    public async Task Invalid_or_mismatched_masks_are_rejected()
    {
        var s = await LeasedInstance();
        var before = Snapshot(await s.Instance.GetState());

        var wrongRound = await Assert.ThrowsAsync<AnnotationRejectedException>(() => s.Instance.SetModelMask(1, BoxMask()));
        var different = await Assert.ThrowsAsync<AnnotationRejectedException>(() => s.Instance.SetModelMask(0, BoxMask() with { Counts = "0" + BoxMask().Counts }));
        Assert.Equal(RejectionCodes.WrongStatus, wrongRound.Code);
        Assert.Equal(RejectionCodes.MaskAlreadySet, different.Code);
        Assert.Equal(before, Snapshot(await s.Instance.GetState()));

        await s.Instance.Submit(Answer("s1"));
        var size = await Assert.ThrowsAsync<AnnotationRejectedException>(() => s.Instance.SetModelMask(1, BoxMask() with { Width = 99 }));
        var garbage = await Assert.ThrowsAsync<AnnotationRejectedException>(() => s.Instance.SetModelMask(1, BoxMask() with { Counts = "not rle!" }));
        var shortCounts = await Assert.ThrowsAsync<AnnotationRejectedException>(() => s.Instance.SetModelMask(1, BoxMask() with { Counts = "1" }));
        Assert.All([size, garbage, shortCounts], e => Assert.Equal(RejectionCodes.InvalidMask, e.Code));
        Assert.Equal(InstanceStatus.WaitingForModel, (await s.Instance.GetState()).Status);
    }

    [Fact]
    public async Task Bad_specs_are_rejected()
    {
        var (campaign, id) = (NewId("c"), NewId("i"));
        var instance = fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaign, id));
        foreach (var (spec, field) in new (InstanceSpec, string)[]
        {
            (Spec() with { ImagePath = "/etc/passwd" }, "imagePath"),
            (Spec() with { ImagePath = "a/../../b.jpg" }, "imagePath"),
            (Spec() with { Box = new BoxD(50, 20, 10, 70) }, "box"),
            (Spec() with { Box = new BoxD(10, 20, 101, 70) }, "box"),
            (Spec() with { ClassName = " " }, "className"),
            (Spec(rounds: 0), "rounds"),
            (Spec(maxClicks: 0), "maxClicksPerRound"),
            (Spec(shards: 0), "shardCount"),
        })
        {
            var e = await Assert.ThrowsAsync<AnnotationRejectedException>(() => fixture.Cluster.ImportInstance(campaign, id, spec));
            Assert.Equal(field, e.Field);
        }
        Assert.Equal(InstanceStatus.NotInitialized, (await instance.GetState()).Status);
        Assert.True(await fixture.Cluster.ImportInstance(campaign, id, Spec()));
        var again = await Assert.ThrowsAsync<AnnotationRejectedException>(() => fixture.Cluster.ImportInstance(campaign, id, Spec() with { ClassName = "dog" }));
        Assert.Equal(RejectionCodes.AlreadyInitialized, again.Code);
    }

    [Fact]
    public async Task Skip_ends_the_instance()
    {
        var s = await LeasedInstance();

        var result = await s.Instance.Submit(Answer("s1", clicks: 0, skip: true));

        Assert.Equal(SubmissionOutcome.Skipped, result.Outcome);
        Assert.Equal(InstanceStatus.Skipped, (await s.Instance.GetState()).Status);
        Assert.Equal(new WorkQueueSummary(0, 0, 0, 0, 1, 0), await s.Queue1.GetSummary());
    }

    [Fact]
    public async Task State_survives_deactivation()
    {
        var s = await LeasedInstance();
        await s.Instance.Submit(Answer("s1", clicks: 3));
        var before = Snapshot(await s.Instance.GetState());

        await Deactivate(s.Instance);

        Assert.Equal(before, Snapshot(await s.Instance.GetState()));
        Assert.Equal(SubmissionOutcome.NeedsModel, (await s.Instance.Submit(Answer("s1"))).Outcome); // still idempotent
        Assert.Equal(before, Snapshot(await s.Instance.GetState()));
    }
}
