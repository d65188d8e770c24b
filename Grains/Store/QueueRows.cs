namespace Grains.Store;

public readonly record struct QueueShard(string CampaignId, int Round, int Shard);

public enum QueueEntryState
{
    Waiting = 0,
    Leased = 1,
    Corrected = 2,
    Accepted = 3,
    Skipped = 4,
}

/// <summary>
/// One instance in one round's queue shard. <see cref="LeasedBy"/> lists (space separated) every annotator who held it in
/// this round: an annotator is never given the same instance twice in a round.
/// </summary>
public sealed record QueueEntry(
    string InstanceId,
    QueueEntryState State,
    double? FrontRank,
    int Priority,
    long Sequence,
    string? AnnotatorId,
    long ExpiresAtTicks,
    string LeasedBy)
{
    public bool WasLeasedBy(string annotatorId)
    {
        if (LeasedBy.Length == 0) return false;
        foreach (var part in LeasedBy.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (part == annotatorId) return true;
        return false;
    }

    public QueueEntry AddLeasedBy(string annotatorId) =>
        WasLeasedBy(annotatorId) ? this : this with { LeasedBy = LeasedBy.Length == 0 ? annotatorId : LeasedBy + " " + annotatorId };
}

/// <summary>The counts of one queue shard, kept with its entries.</summary>
public sealed record QueueCounts(long Waiting, long Leased, long Corrected, long Accepted, long Skipped, long Expired, long NextSequence)
{
    public static QueueCounts Empty { get; } = new(0, 0, 0, 0, 0, 0, 0);
}
