namespace Grains.Interfaces;

/// <summary>
/// One shard of the work of one campaign round (key <c>"{campaignId}/{round}/{shard}"</c>, see
/// <see cref="AnnotationKeys.WorkQueue"/> and <see cref="ShardMap"/>). Instances wait in priority order
/// (instances moved to the front first, then lower priority first, then first in, first out); each is leased to one annotator at a time; a lapsed lease puts
/// the instance back in its place; an annotator is never given the same instance twice in the round.
/// </summary>
public interface IWorkQueueGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds an instance. False (and no change) when it is already waiting, leased or completed here. A
    /// <paramref name="frontRank"/> (the instance's predicted IoU when it is below the campaign's re-prioritisation
    /// threshold) puts it ahead of every instance without one, lowest first.
    /// </summary>
    Task<bool> Enqueue(string instanceId, int priority, double? frontRank);

    /// <summary>Adds many instances in one write (those already waiting, leased or completed here are left alone); returns how many were added.</summary>
    Task<int> EnqueueMany(IReadOnlyList<QueueItem> items);

    /// <summary>Moves a waiting instance to the front with <paramref name="frontRank"/> (kept if it already has a lower one). False when it is not waiting here.</summary>
    Task<bool> MoveToFront(string instanceId, double frontRank);

    /// <summary>
    /// Leases the first waiting instance this annotator has not had in this round, or returns the lease the
    /// annotator already holds here. Null when there is nothing for the annotator. A new lease also names the
    /// instance the annotator would most likely get next, so its image can be prepared.
    /// </summary>
    Task<WorkLease?> Lease(string annotatorId, TimeSpan leaseDuration);

    /// <summary>Gives a leased instance back to the queue (in its old place). False when the annotator does not hold it.</summary>
    Task<bool> Release(string annotatorId, string instanceId);

    /// <summary>Records the round's answer for an instance and takes it out of the queue. False when it was already completed.</summary>
    Task<bool> Complete(string instanceId, RoundOutcome outcome);

    /// <summary>Counts of this shard, as stored (a pure read).</summary>
    Task<WorkQueueSummary> GetSummary();
}
