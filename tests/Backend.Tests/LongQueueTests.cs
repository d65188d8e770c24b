using Grains.Interfaces;
using static Backend.Tests.GrainTestHelpers;

namespace Backend.Tests;

/// <summary>A queue shard longer than the window of entries its grain keeps in memory: order and exclusions still hold.</summary>
public sealed class LongQueueTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task A_queue_longer_than_its_window_serves_in_order_and_never_gives_an_annotator_an_instance_twice()
    {
        var key = AnnotationKeys.WorkQueue(NewId("c"), 1, 0);
        var queue = fixture.Grains.GetGrain<IWorkQueueGrain>(key);
        const int Count = 700;
        // Priorities interleave so the serving order differs from the arrival order.
        for (var i = 0; i < Count; i++) Assert.True(await queue.Enqueue($"i{i:D4}", i % 3, null));
        Assert.False(await queue.Enqueue("i0005", 0, null));
        var expected = Enumerable.Range(0, Count).OrderBy(i => i % 3).ThenBy(i => i).Select(i => $"i{i:D4}").ToArray();

        // One annotator takes and gives back 300 instances: each time the next one they have not had, in serving order.
        for (var i = 0; i < 300; i++)
        {
            var lease = await queue.Lease("alice", Long);
            Assert.Equal(expected[i], lease!.InstanceId);
            Assert.True(await queue.Release("alice", lease.InstanceId));
        }
        // Beyond the in-memory window: the 301st is found in the table.
        Assert.Equal(expected[300], (await queue.Lease("alice", Long))!.InstanceId);
        // Released instances kept their places: another annotator starts at the front.
        Assert.Equal(expected[0], (await queue.Lease("bob", Long))!.InstanceId);

        var summary = await queue.GetSummary();
        Assert.Equal((Count - 2, 2), (summary.Waiting, summary.Leased));

        // After a reactivation everything is read back from the table.
        await Deactivate(queue);
        Assert.Equal(expected[0], (await queue.Lease("bob", Long))!.InstanceId);
        Assert.Equal(summary, await queue.GetSummary());
        Assert.True(await queue.Complete(expected[0], RoundOutcome.Accepted));
        Assert.False(await queue.Complete(expected[0], RoundOutcome.Accepted));
        var served = new List<string>();
        for (var n = 0; ; n++)
        {
            var lease = await queue.Lease($"worker{n}", Long);
            if (lease is null) break;
            served.Add(lease.InstanceId);
            Assert.True(await queue.Complete(lease.InstanceId, RoundOutcome.Corrected));
        }
        // Everything but the two completed or held is served once, in order.
        Assert.Equal(expected.Where(id => id != expected[0] && id != expected[300]).ToArray(), served.ToArray());
        var end = await queue.GetSummary();
        Assert.Equal((0, 1, Count - 2, 1), (end.Waiting, end.Leased, end.Corrected, end.Accepted));
    }
}
