using Grains.Interfaces;
using static Backend.Tests.GrainTestHelpers;

namespace Backend.Tests;

public sealed class WorkQueueGrainTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    IWorkQueueGrain NewQueue() => fixture.Grains.GetGrain<IWorkQueueGrain>(AnnotationKeys.WorkQueue(NewId("c"), 1, 0));

    [Fact]
    public async Task Lower_priority_number_first_then_first_in_first_out()
    {
        var queue = NewQueue();
        await queue.Enqueue("late-low", 5, null);
        await queue.Enqueue("first-high", 1, null);
        await queue.Enqueue("second-high", 1, null);
        await queue.Enqueue("urgent", 0, null);

        var order = new List<string?>();
        for (var i = 0; i < 5; i++)
            order.Add((await queue.Lease($"a{i}", Long))?.InstanceId);

        Assert.Equal(["urgent", "first-high", "second-high", "late-low", null], order);
    }

    [Fact]
    public async Task Instances_moved_to_the_front_come_first_lowest_predicted_iou_first_and_survive_reactivation()
    {
        var queue = NewQueue();
        await queue.Enqueue("urgent-priority", 0, null);
        await queue.Enqueue("bad", 5, 0.4);
        await queue.Enqueue("worse", 5, 0.2);
        await queue.Enqueue("late", 3, null);
        // A waiting instance moves up; a higher rank than the one it has changes nothing; an unknown one is not added.
        Assert.True(await queue.MoveToFront("late", 0.3));
        Assert.False(await queue.MoveToFront("late", 0.35));
        Assert.False(await queue.MoveToFront("absent", 0.1));
        await Assert.ThrowsAsync<AnnotationRejectedException>(() => queue.MoveToFront("bad", double.NaN));
        await Deactivate(queue);

        var order = new List<string?>();
        for (var i = 0; i < 5; i++)
            order.Add((await queue.Lease($"a{i}", Long))?.InstanceId);
        Assert.Equal(["worse", "late", "bad", "urgent-priority", null], order);
    }

    [Fact]
    public async Task Enqueue_is_idempotent()
    {
        var queue = NewQueue();
        Assert.True(await queue.Enqueue("i1", 0, null));
        Assert.False(await queue.Enqueue("i1", 0, null));
        await queue.Lease("a", Long);
        Assert.False(await queue.Enqueue("i1", 0, null));
        Assert.Equal(new WorkQueueSummary(0, 1, 0, 0, 0, 0), await queue.GetSummary());
    }

    [Fact]
    public async Task An_instance_is_leased_to_one_annotator_at_a_time_and_a_repeated_lease_returns_the_same()
    {
        var queue = NewQueue();
        await queue.Enqueue("only", 0, null);

        var first = await queue.Lease("alice", Long);
        var again = await queue.Lease("alice", Long);
        var other = await queue.Lease("bob", Long);

        Assert.Equal("only", first?.InstanceId);
        Assert.Equal(first, again);
        Assert.Null(other);
    }

    [Fact]
    public async Task A_lapsed_lease_returns_the_instance_on_the_next_call()
    {
        var queue = NewQueue();
        await queue.Enqueue("i1", 0, null);
        await queue.Enqueue("i2", 1, null);
        Assert.Equal("i1", (await queue.Lease("alice", TimeSpan.FromMilliseconds(300)))?.InstanceId);

        await Task.Delay(500);
        var bob = await queue.Lease("bob", Long);

        Assert.Equal("i1", bob?.InstanceId); // back in its old place, ahead of i2
        var summary = await queue.GetSummary();
        Assert.Equal(1, summary.ExpiredLeases);
        Assert.Equal(1, summary.Waiting);
    }

    [Fact]
    public async Task The_timer_returns_a_lapsed_lease_without_any_other_call()
    {
        var queue = NewQueue();
        await queue.Enqueue("i1", 0, null);
        await queue.Lease("alice", TimeSpan.FromMilliseconds(200));

        // GetSummary is a pure read: only the grain timer can have moved the instance back.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        WorkQueueSummary summary;
        do
        {
            await Task.Delay(100);
            summary = await queue.GetSummary();
        } while (summary.Waiting == 0 && DateTime.UtcNow < deadline);

        Assert.Equal(new WorkQueueSummary(1, 0, 0, 0, 0, 1), summary);
    }

    [Fact]
    public async Task An_annotator_never_gets_the_same_instance_twice_in_a_round()
    {
        var queue = NewQueue();
        await queue.Enqueue("i1", 0, null);
        await queue.Enqueue("i2", 0, null);

        Assert.Equal("i1", (await queue.Lease("alice", Long))?.InstanceId);
        Assert.True(await queue.Release("alice", "i1"));
        Assert.Equal("i2", (await queue.Lease("alice", Long))?.InstanceId);
        Assert.True(await queue.Release("alice", "i2"));
        Assert.Null(await queue.Lease("alice", Long));

        // after a lapsed lease too
        Assert.Equal("i1", (await queue.Lease("bob", TimeSpan.FromMilliseconds(200)))?.InstanceId);
        await Task.Delay(400);
        Assert.Equal("i2", (await queue.Lease("bob", Long))?.InstanceId);
        Assert.True(await queue.Release("bob", "i2"));
        Assert.Null(await queue.Lease("bob", Long));

        Assert.Equal("i1", (await queue.Lease("carol", Long))?.InstanceId);
    }

    [Fact]
    public async Task Release_by_someone_else_is_refused()
    {
        var queue = NewQueue();
        await queue.Enqueue("i1", 0, null);
        await queue.Lease("alice", Long);

        Assert.False(await queue.Release("bob", "i1"));
        Assert.Equal(1, (await queue.GetSummary()).Leased);
    }

    [Fact]
    public async Task Complete_counts_each_instance_once_per_outcome()
    {
        var queue = NewQueue();
        foreach (var id in new[] { "i1", "i2", "i3" }) await queue.Enqueue(id, 0, null);
        await queue.Lease("alice", Long);

        Assert.True(await queue.Complete("i1", RoundOutcome.Corrected));
        Assert.False(await queue.Complete("i1", RoundOutcome.Skipped));
        Assert.True(await queue.Complete("i2", RoundOutcome.Accepted));
        Assert.False(await queue.Enqueue("i2", 0, null));

        Assert.Equal(new WorkQueueSummary(1, 0, 1, 1, 0, 0), await queue.GetSummary());
    }

    [Fact]
    public async Task State_survives_deactivation()
    {
        var queue = NewQueue();
        await queue.Enqueue("i1", 3, null);
        await queue.Enqueue("i2", 0, null);
        await queue.Enqueue("i3", 1, null);
        await queue.Lease("alice", Long); // i2

        await Deactivate(queue);

        Assert.Equal(new WorkQueueSummary(2, 1, 0, 0, 0, 0), await queue.GetSummary());
        Assert.Equal("i2", (await queue.Lease("alice", Long))?.InstanceId);
        Assert.Equal("i3", (await queue.Lease("bob", Long))?.InstanceId);
        Assert.Equal("i1", (await queue.Lease("carol", Long))?.InstanceId);
    }

    [Fact]
    public async Task Invalid_lease_duration_is_rejected()
    {
        var queue = NewQueue();
        await queue.Enqueue("i1", 0, null);

        var e = await Assert.ThrowsAsync<AnnotationRejectedException>(() => queue.Lease("alice", TimeSpan.Zero));
        Assert.Equal(RejectionCodes.Invalid, e.Code);
        Assert.Equal("leaseDuration", e.Field);
        Assert.Equal(1, (await queue.GetSummary()).Waiting);
    }

    [Fact]
    public void Shard_map_is_stable_and_spreads_ids()
    {
        // FNV-1a 32 of "a" is 0xE40C292C; fixed values guard against an accidental change of hash.
        Assert.Equal(0xE40C292Cu, ShardMap.StableHash("a"));
        Assert.Equal((int)(0xE40C292Cu % 7), ShardMap.ShardOf("a", 7));
        var counts = new int[8];
        for (var i = 0; i < 8000; i++) counts[ShardMap.ShardOf($"instance-{i}", 8)]++;
        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
        Assert.Equal(0, ShardMap.ShardOf("anything", 1));
    }

    [Fact]
    public void Keys_round_trip()
    {
        Assert.Equal(("camp", 2, 5), AnnotationKeys.ParseWorkQueue(AnnotationKeys.WorkQueue("camp", 2, 5)));
        Assert.Equal(("camp", "img_1#3"), AnnotationKeys.ParseInstance(AnnotationKeys.Instance("camp", "img_1#3")));
        Assert.Throws<ArgumentException>(() => AnnotationKeys.Instance("a/b", "x"));
        Assert.Equal(("camp", 7), AnnotationKeys.ParseCampaignShard(AnnotationKeys.CampaignShard("camp", 7)));
        Assert.Throws<FormatException>(() => AnnotationKeys.ParseCampaignShard("camp/x"));
    }
}
