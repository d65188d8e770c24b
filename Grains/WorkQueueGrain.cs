using Grains.Interfaces;
using Grains.Store;

namespace Grains;

/// <summary>
/// One round's queue shard. Its entries and counts are rows of the campaign tables (this grain is their only writer);
/// in memory it keeps the leases (one per working annotator) and a window of the first waiting entries in serving
/// order, refilled from the table, so a lease, an answer or an enqueue costs the same at any queue length. Memory
/// changes only after the rows are written: a failed write leaves the grain as it was.
/// </summary>
public sealed class WorkQueueGrain(ICampaignStore store) : Grain, IWorkQueueGrain
{
    const int WindowSize = 256;
    static readonly TimeSpan MinTimerPeriod = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan MaxTimerPeriod = TimeSpan.FromSeconds(30);

    /// <summary>Serving order, the same as the table's index: entries with a front rank first (lowest first), then priority, then arrival.</summary>
    public static readonly Comparer<QueueEntry> Order = Comparer<QueueEntry>.Create((a, b) =>
    {
        var c = (a.FrontRank, b.FrontRank) switch
        {
            ({ } x, { } y) => x.CompareTo(y),
            (not null, null) => -1,
            (null, not null) => 1,
            _ => 0,
        };
        if (c != 0) return c;
        c = a.Priority.CompareTo(b.Priority);
        if (c != 0) return c;
        c = a.Sequence.CompareTo(b.Sequence);
        return c != 0 ? c : string.CompareOrdinal(a.InstanceId, b.InstanceId);
    });

    readonly SortedSet<QueueEntry> window = new(Order);
    readonly Dictionary<string, QueueEntry> windowById = new(StringComparer.Ordinal);
    /// <summary>True when every waiting entry is in <see cref="window"/>; otherwise every waiting entry outside it sorts after its last.</summary>
    bool windowComplete;
    readonly Dictionary<string, QueueEntry> leases = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> leaseOf = new(StringComparer.Ordinal);
    QueueCounts counts = QueueCounts.Empty;
    IGrainTimer? expiryTimer;
    TimeSpan timerPeriod = MaxTimerPeriod;

    QueueShard Shard
    {
        get
        {
            var (campaignId, round, shard) = AnnotationKeys.ParseWorkQueue(this.GetPrimaryKeyString());
            return new QueueShard(campaignId, round, shard);
        }
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        counts = await store.ReadQueueCounts(Shard) ?? QueueCounts.Empty;
        QueueEntry? after = null;
        while (true)
        {
            var page = await store.ReadQueueEntries(Shard, QueueEntryState.Leased, after, 1000);
            foreach (var lease in page) AddLease(lease);
            if (page.Count < 1000) break;
            after = page[^1];
        }
        await Refill();
        if (leases.Count > 0)
            EnsureExpiryTimer(leases.Values.Min(l => new DateTimeOffset(l.ExpiresAtTicks, TimeSpan.Zero) - DateTimeOffset.UtcNow));
    }

    public async Task<bool> Enqueue(string instanceId, int priority, double? frontRank)
    {
        RequireId(instanceId, nameof(instanceId));
        RequireFrontRank(frontRank);
        await ExpireLapsedLeases();
        if (windowById.ContainsKey(instanceId) || leases.ContainsKey(instanceId) || await store.ReadQueueEntry(Shard, instanceId) is not null)
            return false;
        var entry = new QueueEntry(instanceId, QueueEntryState.Waiting, frontRank, priority, counts.NextSequence, null, 0, "");
        var next = counts with { Waiting = counts.Waiting + 1, NextSequence = counts.NextSequence + 1 };
        await store.WriteQueue(Shard, [entry], next);
        counts = next;
        AddWaiting(entry);
        return true;
    }

    public async Task<int> EnqueueMany(IReadOnlyList<QueueItem> items)
    {
        if (items is null || items.Count > 10_000)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(items), "Send between 0 and 10000 items.");
        foreach (var item in items)
        {
            RequireId(item?.InstanceId!, "instanceId");
            RequireFrontRank(item!.FrontRank);
        }
        await ExpireLapsedLeases();
        var existing = await store.ExistingQueueEntries(Shard, items.Select(i => i.InstanceId).ToArray());
        var added = new List<QueueEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var next = counts.NextSequence;
        foreach (var item in items)
        {
            if (existing.Contains(item.InstanceId) || windowById.ContainsKey(item.InstanceId) || leases.ContainsKey(item.InstanceId) || !seen.Add(item.InstanceId))
                continue;
            added.Add(new QueueEntry(item.InstanceId, QueueEntryState.Waiting, item.FrontRank, item.Priority, next++, null, 0, ""));
        }
        if (added.Count == 0) return 0;
        var after = counts with { Waiting = counts.Waiting + added.Count, NextSequence = next };
        await store.WriteQueue(Shard, added, after);
        counts = after;
        foreach (var entry in added) AddWaiting(entry);
        return added.Count;
    }

    public async Task<bool> MoveToFront(string instanceId, double frontRank)
    {
        RequireId(instanceId, nameof(instanceId));
        RequireFrontRank(frontRank);
        var entry = windowById.GetValueOrDefault(instanceId) ?? await store.ReadQueueEntry(Shard, instanceId);
        if (entry is not { State: QueueEntryState.Waiting } || entry.FrontRank <= frontRank) return false;
        var moved = entry with { FrontRank = frontRank };
        await store.WriteQueue(Shard, [moved], counts);
        RemoveWaiting(entry);
        AddWaiting(moved);
        return true;
    }

    public async Task<WorkLease?> Lease(string annotatorId, TimeSpan leaseDuration)
    {
        RequireId(annotatorId, nameof(annotatorId));
        if (leaseDuration <= TimeSpan.Zero || leaseDuration > TimeSpan.FromDays(1))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(leaseDuration),
                $"Lease duration {leaseDuration} is outside (0, 1 day].");

        await ExpireLapsedLeases();
        if (leaseOf.TryGetValue(annotatorId, out var heldId))
        {
            var held = leases[heldId];
            return new WorkLease(held.InstanceId, annotatorId, new DateTimeOffset(held.ExpiresAtTicks, TimeSpan.Zero));
        }

        var next = await FirstWaitingFor(annotatorId);
        if (next is null) return null;

        var expiresAt = DateTimeOffset.UtcNow + leaseDuration;
        var leased = next.AddLeasedBy(annotatorId) with { State = QueueEntryState.Leased, AnnotatorId = annotatorId, ExpiresAtTicks = expiresAt.UtcTicks };
        var after = counts with { Waiting = counts.Waiting - 1, Leased = counts.Leased + 1 };
        await store.WriteQueue(Shard, [leased], after);
        counts = after;
        RemoveWaiting(next);
        AddLease(leased);
        EnsureExpiryTimer(leaseDuration);
        await Refill();
        var likelyNext = window.FirstOrDefault(e => !e.WasLeasedBy(annotatorId));
        return new WorkLease(leased.InstanceId, annotatorId, expiresAt, likelyNext?.InstanceId);
    }

    public async Task<bool> Release(string annotatorId, string instanceId)
    {
        await ExpireLapsedLeases();
        if (!leases.TryGetValue(instanceId, out var lease) || lease.AnnotatorId != annotatorId) return false;
        var waiting = lease with { State = QueueEntryState.Waiting, AnnotatorId = null, ExpiresAtTicks = 0 };
        var after = counts with { Waiting = counts.Waiting + 1, Leased = counts.Leased - 1 };
        await store.WriteQueue(Shard, [waiting], after);
        counts = after;
        RemoveLease(lease);
        AddWaiting(waiting);
        return true;
    }

    public async Task<bool> Complete(string instanceId, RoundOutcome outcome)
    {
        RequireId(instanceId, nameof(instanceId));
        if (!Enum.IsDefined(outcome))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(outcome), $"Unknown outcome {outcome}.");
        await ExpireLapsedLeases();
        var entry = leases.GetValueOrDefault(instanceId) ?? windowById.GetValueOrDefault(instanceId) ?? await store.ReadQueueEntry(Shard, instanceId);
        if (entry is { State: QueueEntryState.Corrected or QueueEntryState.Accepted or QueueEntryState.Skipped }) return false;

        var state = outcome switch
        {
            RoundOutcome.Corrected => QueueEntryState.Corrected,
            RoundOutcome.Accepted => QueueEntryState.Accepted,
            _ => QueueEntryState.Skipped,
        };
        var after = counts with
        {
            Waiting = counts.Waiting - (entry?.State == QueueEntryState.Waiting ? 1 : 0),
            Leased = counts.Leased - (entry?.State == QueueEntryState.Leased ? 1 : 0),
            Corrected = counts.Corrected + (state == QueueEntryState.Corrected ? 1 : 0),
            Accepted = counts.Accepted + (state == QueueEntryState.Accepted ? 1 : 0),
            Skipped = counts.Skipped + (state == QueueEntryState.Skipped ? 1 : 0),
            NextSequence = entry is null ? counts.NextSequence + 1 : counts.NextSequence,
        };
        var completed = (entry ?? new QueueEntry(instanceId, state, null, 0, counts.NextSequence, null, 0, "")) with
        {
            State = state, AnnotatorId = null, ExpiresAtTicks = 0,
        };
        await store.WriteQueue(Shard, [completed], after);
        counts = after;
        if (entry is { State: QueueEntryState.Leased }) RemoveLease(entry);
        if (entry is { State: QueueEntryState.Waiting }) RemoveWaiting(entry);
        await Refill();
        return true;
    }

    public async Task<WorkQueueSummary> GetSummary()
    {
        await ExpireLapsedLeases();
        return new WorkQueueSummary((int)counts.Waiting, (int)counts.Leased, (int)counts.Corrected, (int)counts.Accepted, (int)counts.Skipped, counts.Expired);
    }

    /// <summary>The first waiting entry this annotator has not held in this round: from the window, else from the table beyond it.</summary>
    async Task<QueueEntry?> FirstWaitingFor(string annotatorId)
    {
        await Refill();
        foreach (var e in window)
            if (!e.WasLeasedBy(annotatorId)) return e;
        if (windowComplete || window.Count == 0) return null;
        // Every entry in the window was held by this annotator before: look further in the table, page by page.
        var after = window.Max;
        while (true)
        {
            var page = await store.ReadQueueEntries(Shard, QueueEntryState.Waiting, after, WindowSize);
            foreach (var e in page)
                if (!e.WasLeasedBy(annotatorId)) return e;
            if (page.Count < WindowSize) return null;
            after = page[^1];
        }
    }

    /// <summary>Tops the window up from the table when it runs low.</summary>
    async Task Refill()
    {
        if (windowComplete || window.Count >= WindowSize / 4) return;
        var wanted = WindowSize - window.Count;
        var page = await store.ReadQueueEntries(Shard, QueueEntryState.Waiting, window.Count == 0 ? null : window.Max, wanted);
        foreach (var e in page)
        {
            window.Add(e);
            windowById[e.InstanceId] = e;
        }
        if (page.Count < wanted) windowComplete = true;
    }

    void AddWaiting(QueueEntry entry)
    {
        // Outside a partial window, an entry that sorts after it is found in the table when the window is refilled.
        if (!windowComplete && window.Count > 0 && Order.Compare(entry, window.Max!) > 0) return;
        if (!windowComplete && window.Count == 0) return;
        window.Add(entry);
        windowById[entry.InstanceId] = entry;
        if (window.Count > WindowSize)
        {
            var last = window.Max!;
            window.Remove(last);
            windowById.Remove(last.InstanceId);
            windowComplete = false;
        }
    }

    void RemoveWaiting(QueueEntry entry)
    {
        if (windowById.Remove(entry.InstanceId, out var held)) window.Remove(held);
    }

    void AddLease(QueueEntry lease)
    {
        leases[lease.InstanceId] = lease;
        leaseOf[lease.AnnotatorId!] = lease.InstanceId;
    }

    void RemoveLease(QueueEntry lease)
    {
        leases.Remove(lease.InstanceId);
        if (leaseOf.TryGetValue(lease.AnnotatorId!, out var id) && id == lease.InstanceId) leaseOf.Remove(lease.AnnotatorId!);
    }

    /// <summary>Puts every lapsed lease's instance back in its old place, in one write.</summary>
    async Task ExpireLapsedLeases()
    {
        if (leases.Count == 0) return;
        var now = DateTimeOffset.UtcNow.UtcTicks;
        var lapsed = leases.Values.Where(l => l.ExpiresAtTicks <= now).ToArray();
        if (lapsed.Length == 0) return;
        var waiting = lapsed.Select(l => l with { State = QueueEntryState.Waiting, AnnotatorId = null, ExpiresAtTicks = 0 }).ToArray();
        var after = counts with
        {
            Waiting = counts.Waiting + lapsed.Length, Leased = counts.Leased - lapsed.Length, Expired = counts.Expired + lapsed.Length,
        };
        await store.WriteQueue(Shard, waiting, after);
        counts = after;
        foreach (var l in lapsed) RemoveLease(l);
        foreach (var w in waiting) AddWaiting(w);
    }

    /// <summary>Runs the expiry check periodically (at half the shortest lease seen) while leases are out.</summary>
    void EnsureExpiryTimer(TimeSpan leaseDuration)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(leaseDuration.Ticks / 2, MinTimerPeriod.Ticks, MaxTimerPeriod.Ticks));
        if (expiryTimer is null)
        {
            timerPeriod = period;
            expiryTimer = this.RegisterGrainTimer(OnExpiryTimer, period, period);
        }
        else if (period < timerPeriod)
        {
            timerPeriod = period;
            expiryTimer.Change(period, period);
        }
    }

    async Task OnExpiryTimer(CancellationToken cancellationToken)
    {
        await ExpireLapsedLeases();
        if (leases.Count == 0 && expiryTimer is not null)
        {
            expiryTimer.Dispose();
            expiryTimer = null;
            timerPeriod = MaxTimerPeriod;
        }
    }

    static void RequireFrontRank(double? frontRank)
    {
        if (frontRank is { } r && !double.IsFinite(r))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(frontRank), $"Front rank {r} is not a finite number.");
    }

    static void RequireId(string id, string field)
    {
        if (!AnnotationKeys.IsValidId(id))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, field, $"'{id}' is not a valid id.");
    }
}
