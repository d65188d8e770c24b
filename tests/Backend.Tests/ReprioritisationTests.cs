using Grains;
using Grains.Interfaces;
using Segmentation.Masks;
using static Backend.Tests.GrainTestHelpers;

namespace Backend.Tests;

/// <summary>
/// Re-prioritisation on small synthetic campaigns (external masks, every instance a ground-truth instance): after round 1
/// an instance's mask is the truth shrunk by 2 x (k mod 6) pixels on two sides, reached by a click whose distance from the
/// previous mask grows with the shrink, so M_r can learn which masks are bad.
/// </summary>
public sealed class ReprioritisationTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    const int Width = GrainTestHelpers.CanvasWidth, Height = GrainTestHelpers.CanvasHeight, Count = 30;

    static int Shrink(string instanceId) => int.Parse(instanceId[1..]) % 6;

    static string Id(int k) => $"i{k:D2}";

    IInstanceGrain Instance(string campaignId, string instanceId) =>
        fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, instanceId));

    /// <summary>
    /// Creates the campaign, runs round 1 for every instance (those in <paramref name="accept"/> answer with zero clicks) and
    /// returns the annotator and the corrected instances in the order they finished.
    /// </summary>
    async Task<(IAnnotatorGrain Annotator, List<string> Finished)> RoundOne(string campaignId, CampaignSettings settings, ISet<int>? accept = null)
    {
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(campaignId);
        await campaign.Create(settings with { ModelName = ModelNames.External });
        await campaign.BeginImport();
        var truth = Rect(10, 5, 30, 25);
        await campaign.ImportInstances(Enumerable.Range(0, Count).Select(k =>
            new InstanceImport(Id(k), "a.jpg", Width, Height, new BoxD(10, 5, 30, 25), "box", GroundTruth: truth.ToWire())).ToArray());
        await campaign.Start();
        for (var k = 0; k < Count; k++) await Instance(campaignId, Id(k)).SetModelMask(0, Rect(12, 7, 28, 23).ToWire());

        var annotatorId = GrainTestHelpers.NewId("ann");
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(annotatorId);
        await annotator.SetQualified(true);
        var finished = new List<string>();
        for (var i = 0; i < Count; i++)
        {
            var work = await annotator.RequestWork(campaignId);
            Assert.Equal(1, work!.Round);
            var (_, instanceId) = AnnotationKeys.ParseInstance(work.InstanceKey);
            var k = int.Parse(instanceId[1..]);
            if (accept?.Contains(k) == true)
            {
                await annotator.Submit(work.InstanceKey, new Submission($"r1-{k}", annotatorId, 1, [], false, 1));
                continue;
            }
            var s = Shrink(instanceId);
            await annotator.Submit(work.InstanceKey, new Submission($"r1-{k}", annotatorId, 1,
                [new SubmittedClick(11.5 - s, 15.5, ClickPolarity.Foreground)], false, 1));
            await Instance(campaignId, instanceId).SetModelMask(1, Rect(10 + s * 2, 5, 30, 25 - s * 2).ToWire());
            finished.Add(instanceId);
        }
        return (annotator, finished);
    }

    async Task<RankedPage> Ranking(string campaignId, int shards)
    {
        var pages = await Task.WhenAll(Enumerable.Range(0, shards).Select(shard =>
            fixture.Grains.GetGrain<IQualityIndexGrain>(AnnotationKeys.CampaignShard(campaignId, shard)).Ranked(100, worstFirst: true)));
        var items = pages.SelectMany(p => p.Items).OrderBy(r => r.PredictedIoU).ThenBy(r => r.InstanceId, StringComparer.Ordinal).ToArray();
        return new RankedPage(items, pages.Sum(p => p.Total), pages.Max(p => p.ModelVersion));
    }

    /// <summary>The instances waiting in an extra (or any) round, i.e. granted and not answered yet.</summary>
    async Task<string[]> QueuedIn(string campaignId, int round) =>
        (await Task.WhenAll(Enumerable.Range(0, Count).Select(k => Instance(campaignId, Id(k)).GetState())))
            .Where(v => v.CurrentRound == round && v.Status is InstanceStatus.Queued or InstanceStatus.Leased)
            .Select(v => AnnotationKeys.ParseInstance(v.Key).InstanceId).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The next task, waiting while the budget is still being spent (rounds are granted just after the previous one ends).</summary>
    static async Task<WorkAssignment?> NextWhileSpending(IAnnotatorGrain annotator, string campaignId, IExtraRoundsGrain extra)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (await annotator.RequestWork(campaignId) is { } work) return work;
            if (!(await extra.GetSummary()).Active) return null;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The budget stayed active without granting a round.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Instances_predicted_below_the_threshold_are_leased_first_in_the_next_round()
    {
        var campaignId = GrainTestHelpers.NewId("reprio");
        var (annotator, _) = await RoundOne(campaignId, new CampaignSettings
        {
            Rounds = 2, ShardCount = 1, GroundTruthFraction = 1, ReprioritizeBelowIoU = 0.7,
        });
        // A query loads the newest model; instances queued before it existed are moved up then.
        var ranking = await Ranking(campaignId, 1);
        Assert.True(ranking.ModelVersion >= 1);

        var order = new List<string>();
        var annotatorId = annotator.GetPrimaryKeyString();
        for (var i = 0; i < Count; i++)
        {
            var work = await annotator.RequestWork(campaignId);
            Assert.Equal(2, work!.Round);
            order.Add(AnnotationKeys.ParseInstance(work.InstanceKey).InstanceId);
            await annotator.Submit(work.InstanceKey, new Submission($"r2-{i}", annotatorId, 2, [], false, 1));
        }

        // Without re-prioritisation the round-2 queue is first in, first out: i00, i01, ... (shrinks 0, 1, 2, ...).
        var position = order.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        var worst = order.Where(id => Shrink(id) >= 4).Select(id => position[id]).ToArray();
        var best = order.Where(id => Shrink(id) <= 1).Select(id => position[id]).ToArray();
        Assert.True(worst.Max() < best.Min(), $"lease order {string.Join(" ", order)}");
        var predicted = ranking.Items.ToDictionary(r => r.InstanceId, r => r.PredictedIoU!.Value);
        var front = order.TakeWhile(id => predicted[id] < 0.7).ToArray();
        Assert.Equal(predicted.Count(p => p.Value < 0.7), front.Length);
    }

    [Fact]
    public async Task A_ranked_budget_gives_extra_rounds_to_the_lowest_ranked_instances_until_it_is_spent()
    {
        var campaignId = GrainTestHelpers.NewId("extra");
        var (annotator, _) = await RoundOne(campaignId, new CampaignSettings { Rounds = 1, ShardCount = 2, GroundTruthFraction = 1 });
        var ranking = await Ranking(campaignId, 2);
        Assert.Equal(Count, ranking.Total);

        var extra = fixture.Grains.GetGrain<IExtraRoundsGrain>(campaignId);
        // 12 clicks pay for three rounds of up to four clicks.
        var started = await extra.Start(new ExtraRoundsRequest(12, ExtraRoundStrategy.Ranked));
        Assert.True(started.Active);
        Assert.Equal(3, started.Outstanding);
        var worstThree = ranking.Items.Take(3).Select(r => r.InstanceId).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(worstThree, await QueuedIn(campaignId, 2));
        Assert.Equal(2, (await fixture.Grains.GetGrain<ICampaignGrain>(campaignId).GetInfo()).HighestRound);
        Assert.False((await fixture.Grains.GetGrain<ICampaignGrain>(campaignId).GetProgress()).Complete);

        // Each extra round takes one click and gets the true mask; the unspent reservation pays for more rounds.
        var annotatorId = annotator.GetPrimaryKeyString();
        var answered = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var work = await NextWhileSpending(annotator, campaignId, extra);
            if (work is null) break;
            Assert.Equal(2, work.Round);
            var instanceId = AnnotationKeys.ParseInstance(work.InstanceKey).InstanceId;
            answered.Add(instanceId);
            await annotator.Submit(work.InstanceKey, new Submission($"x-{i}", annotatorId, 2,
                [new SubmittedClick(20.5, 15.5, ClickPolarity.Foreground)], false, 1));
            await Instance(campaignId, instanceId).SetModelMask(2, Rect(10, 5, 30, 25).ToWire());
        }

        var summary = await extra.GetSummary();
        Assert.False(summary.Active);
        Assert.Equal(9, summary.ClicksSpent);
        Assert.Equal(9, summary.RoundsFinished);
        Assert.Equal(0, summary.Outstanding);
        Assert.Contains("budget", summary.StopReason);
        Assert.Equal(9, answered.Distinct().Count());
        Assert.Subset(answered.ToHashSet(), worstThree.ToHashSet());
        // Extra rounds went to bad masks, never to perfect ones (shrink 0).
        Assert.DoesNotContain(answered, id => Shrink(id) == 0);
        var progress = await fixture.Grains.GetGrain<ICampaignGrain>(campaignId).GetProgress();
        Assert.False(progress.Extra!.Active);
        Assert.Equal(9, progress.Extra.RoundsFinished);
    }

    [Fact]
    public async Task Random_and_queue_order_budgets_skip_accepted_instances_and_follow_their_order()
    {
        var accepted = new HashSet<int> { 0, 1, 2, 3, 4 };
        var queueCampaign = GrainTestHelpers.NewId("queue");
        var (_, finished) = await RoundOne(queueCampaign, new CampaignSettings { Rounds = 1, ShardCount = 2 }, accepted);
        await fixture.Grains.GetGrain<IExtraRoundsGrain>(queueCampaign).Start(new ExtraRoundsRequest(8, ExtraRoundStrategy.QueueOrder));
        // The first two instances to finish their rounds with clicks (across both shards); accepted ones need no more work.
        Assert.Equal(finished.Take(2).Order(StringComparer.Ordinal), await QueuedIn(queueCampaign, 2));

        var first = GrainTestHelpers.NewId("random");
        var second = GrainTestHelpers.NewId("random");
        foreach (var id in new[] { first, second })
        {
            await RoundOne(id, new CampaignSettings { Rounds = 1, ShardCount = 2 }, accepted);
            await fixture.Grains.GetGrain<IExtraRoundsGrain>(id).Start(new ExtraRoundsRequest(40, ExtraRoundStrategy.Random, Seed: 7));
        }
        var chosen = await QueuedIn(first, 2);
        Assert.Equal(10, chosen.Length);
        Assert.Equal(chosen, await QueuedIn(second, 2));
        Assert.DoesNotContain(chosen, id => accepted.Contains(int.Parse(id[1..])));
        Assert.NotEqual(Enumerable.Range(5, 10).Select(Id).ToArray(), chosen);
    }

    [Fact]
    public async Task An_instance_can_get_its_next_extra_round_as_soon_as_its_last_one_ends()
    {
        var campaignId = GrainTestHelpers.NewId("again");
        var accepted = Enumerable.Range(0, Count).Where(k => k != 7).ToHashSet();
        var (annotator, finished) = await RoundOne(campaignId, new CampaignSettings { Rounds = 1, ShardCount = 1 }, accepted);
        Assert.Equal(["i07"], finished);
        var extra = fixture.Grains.GetGrain<IExtraRoundsGrain>(campaignId);
        await extra.Start(new ExtraRoundsRequest(40, ExtraRoundStrategy.Random, MaxExtraRoundsPerInstance: 2));

        var annotatorId = annotator.GetPrimaryKeyString();
        var rounds = new List<int>();
        while (await NextWhileSpending(annotator, campaignId, extra) is { } work)
        {
            rounds.Add(work.Round);
            await annotator.Submit(work.InstanceKey, new Submission($"x-{work.Round}", annotatorId, work.Round,
                [new SubmittedClick(20.5, 15.5, ClickPolarity.Foreground)], false, 1));
            await Instance(campaignId, "i07").SetModelMask(work.Round, Rect(10, 5, 30, 25).ToWire());
        }
        Assert.Equal([2, 3], rounds);
        var summary = await extra.GetSummary();
        Assert.Equal(2, summary.ClicksSpent);
        Assert.Contains("no instance", summary.StopReason);
        Assert.Equal(3, (await fixture.Grains.GetGrain<ICampaignGrain>(campaignId).GetInfo()).HighestRound);
    }

    [Fact]
    public async Task A_ranked_budget_is_refused_without_a_model_and_a_second_budget_while_one_is_spent()
    {
        var campaignId = GrainTestHelpers.NewId("nomodel");
        await RoundOne(campaignId, new CampaignSettings { Rounds = 1, ShardCount = 1 });
        var extra = fixture.Grains.GetGrain<IExtraRoundsGrain>(campaignId);
        var refused = await Assert.ThrowsAsync<AnnotationRejectedException>(() => extra.Start(new ExtraRoundsRequest(8, ExtraRoundStrategy.Ranked)));
        Assert.Equal(RejectionCodes.InvalidTransition, refused.Code);
        Assert.Null((await extra.GetSummary()).Request);

        var request = new ExtraRoundsRequest(8, ExtraRoundStrategy.Random);
        await extra.Start(request);
        Assert.True((await extra.Start(request)).Active);
        var busy = await Assert.ThrowsAsync<AnnotationRejectedException>(() => extra.Start(request with { ClickBudget = 4 }));
        Assert.Equal(RejectionCodes.InvalidTransition, busy.Code);
        await Assert.ThrowsAsync<AnnotationRejectedException>(() =>
            fixture.Grains.GetGrain<IExtraRoundsGrain>(GrainTestHelpers.NewId("none")).Start(new ExtraRoundsRequest(0, ExtraRoundStrategy.Random)));
    }
}
