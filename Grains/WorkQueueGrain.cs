using Grains.Interfaces;

namespace Grains;

[GenerateSerializer, Alias("WorkQueueState")]
public sealed class WorkQueueState
{
    [Id(0)] public Dictionary<string, QueuedInstance> Waiting { get; set; } = new(StringComparer.Ordinal);

    [Id(1)] public Dictionary<string, LeaseRecord> Leases { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Per annotator, every instance ever leased to them in this round.</summary>
    [Id(2)] public Dictionary<string, HashSet<string>> LeasedBefore { get; set; } = new(StringComparer.Ordinal);

    [Id(3)] public Dictionary<string, RoundOutcome> Completed { get; set; } = new(StringComparer.Ordinal);

    [Id(4)] public long NextSequence { get; set; }

    [Id(5)] public long ExpiredLeases { get; set; }
}

/// <summary>
/// An instance's place in the queue: instances moved to the front (a predicted IoU below the campaign's threshold) first,
/// lowest predicted IoU first; then priority, then arrival order.
/// </summary>
[GenerateSerializer, Immutable, Alias("QueuedInstance")]
public sealed record QueuedInstance(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] int Priority,
    [property: Id(2)] long Sequence,
    [property: Id(3)] double? FrontRank = null);

[GenerateSerializer, Immutable, Alias("LeaseRecord")]
public sealed record LeaseRecord(
    [property: Id(0)] QueuedInstance Place,
    [property: Id(1)] string AnnotatorId,
    [property: Id(2)] DateTimeOffset ExpiresAt);

public sealed class WorkQueueGrain(
    [PersistentState("workqueue", StorageNames.Annotation)] IPersistentState<WorkQueueState> state)
    : Grain, IWorkQueueGrain
{
    static readonly TimeSpan MinTimerPeriod = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan MaxTimerPeriod = TimeSpan.FromSeconds(30);

    static readonly Comparer<QueuedInstance> Order = Comparer<QueuedInstance>.Create((a, b) =>
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

    readonly SortedSet<QueuedInstance> waitingInOrder = new(Order);
    IGrainTimer? expiryTimer;
    TimeSpan timerPeriod = MaxTimerPeriod;

    WorkQueueState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in S.Waiting.Values) waitingInOrder.Add(entry);
        if (S.Leases.Count > 0)
        {
            var shortest = S.Leases.Values.Min(l => l.ExpiresAt - DateTimeOffset.UtcNow);
            EnsureExpiryTimer(shortest);
        }
        return Task.CompletedTask;
    }

    public async Task<bool> Enqueue(string instanceId, int priority, double? frontRank)
    {
        RequireId(instanceId, nameof(instanceId));
        RequireFrontRank(frontRank);
        if (S.Waiting.ContainsKey(instanceId) || S.Leases.ContainsKey(instanceId) || S.Completed.ContainsKey(instanceId))
        {
            await ExpireLapsedLeases();
            return false;
        }
        ExpireLapsedLeasesInMemory();
        var entry = new QueuedInstance(instanceId, priority, S.NextSequence++, frontRank);
        S.Waiting[instanceId] = entry;
        waitingInOrder.Add(entry);
        await state.WriteStateAsync();
        return true;
    }

    public async Task<bool> MoveToFront(string instanceId, double frontRank)
    {
        RequireId(instanceId, nameof(instanceId));
        RequireFrontRank(frontRank);
        if (!S.Waiting.TryGetValue(instanceId, out var entry) || entry.FrontRank <= frontRank) return false;
        waitingInOrder.Remove(entry);
        var moved = entry with { FrontRank = frontRank };
        S.Waiting[instanceId] = moved;
        waitingInOrder.Add(moved);
        await state.WriteStateAsync();
        return true;
    }

    public async Task<WorkLease?> Lease(string annotatorId, TimeSpan leaseDuration)
    {
        RequireId(annotatorId, nameof(annotatorId));
        if (leaseDuration <= TimeSpan.Zero || leaseDuration > TimeSpan.FromDays(1))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(leaseDuration),
                $"Lease duration {leaseDuration} is outside (0, 1 day].");

        var changed = ExpireLapsedLeasesInMemory();
        var held = S.Leases.Values.FirstOrDefault(l => l.AnnotatorId == annotatorId);
        if (held is not null)
        {
            if (changed) await state.WriteStateAsync();
            return new WorkLease(held.Place.InstanceId, annotatorId, held.ExpiresAt);
        }

        S.LeasedBefore.TryGetValue(annotatorId, out var before);
        var next = waitingInOrder.FirstOrDefault(e => before is null || !before.Contains(e.InstanceId));
        if (next is null)
        {
            if (changed) await state.WriteStateAsync();
            return null;
        }

        var expiresAt = DateTimeOffset.UtcNow + leaseDuration;
        waitingInOrder.Remove(next);
        S.Waiting.Remove(next.InstanceId);
        S.Leases[next.InstanceId] = new LeaseRecord(next, annotatorId, expiresAt);
        if (before is null) S.LeasedBefore[annotatorId] = before = new HashSet<string>(StringComparer.Ordinal);
        before.Add(next.InstanceId);
        await state.WriteStateAsync();
        EnsureExpiryTimer(leaseDuration);
        var likelyNext = waitingInOrder.FirstOrDefault(e => !before.Contains(e.InstanceId));
        return new WorkLease(next.InstanceId, annotatorId, expiresAt, likelyNext?.InstanceId);
    }

    public async Task<bool> Release(string annotatorId, string instanceId)
    {
        var changed = ExpireLapsedLeasesInMemory();
        var released = S.Leases.TryGetValue(instanceId, out var lease) && lease.AnnotatorId == annotatorId;
        if (released)
        {
            S.Leases.Remove(instanceId);
            S.Waiting[instanceId] = lease!.Place;
            waitingInOrder.Add(lease.Place);
        }
        if (changed || released) await state.WriteStateAsync();
        return released;
    }

    public async Task<bool> Complete(string instanceId, RoundOutcome outcome)
    {
        RequireId(instanceId, nameof(instanceId));
        if (!Enum.IsDefined(outcome))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(outcome), $"Unknown outcome {outcome}.");
        var changed = ExpireLapsedLeasesInMemory();
        var completed = !S.Completed.ContainsKey(instanceId);
        if (completed)
        {
            S.Leases.Remove(instanceId);
            if (S.Waiting.Remove(instanceId, out var entry)) waitingInOrder.Remove(entry);
            S.Completed[instanceId] = outcome;
        }
        if (changed || completed) await state.WriteStateAsync();
        return completed;
    }

    public Task<WorkQueueSummary> GetSummary()
    {
        int corrected = 0, accepted = 0, skipped = 0;
        foreach (var outcome in S.Completed.Values)
        {
            switch (outcome)
            {
                case RoundOutcome.Corrected: corrected++; break;
                case RoundOutcome.Accepted: accepted++; break;
                case RoundOutcome.Skipped: skipped++; break;
            }
        }
        return Task.FromResult(new WorkQueueSummary(S.Waiting.Count, S.Leases.Count, corrected, accepted, skipped, S.ExpiredLeases));
    }

    async Task ExpireLapsedLeases()
    {
        if (ExpireLapsedLeasesInMemory()) await state.WriteStateAsync();
    }

    /// <summary>Puts every lapsed lease's instance back in its old place. True when something changed.</summary>
    bool ExpireLapsedLeasesInMemory()
    {
        if (S.Leases.Count == 0) return false;
        var now = DateTimeOffset.UtcNow;
        List<string>? lapsed = null;
        foreach (var (id, lease) in S.Leases)
            if (lease.ExpiresAt <= now) (lapsed ??= []).Add(id);
        if (lapsed is null) return false;
        foreach (var id in lapsed)
        {
            S.Leases.Remove(id, out var lease);
            S.Waiting[id] = lease!.Place;
            waitingInOrder.Add(lease.Place);
            S.ExpiredLeases++;
        }
        return true;
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
        if (S.Leases.Count == 0 && expiryTimer is not null)
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
