using Grains.Interfaces;
using Grains.Store;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Segmentation.Quality;

namespace Grains;

[GenerateSerializer, Alias("ModelWorkState")]
public sealed class ModelWorkState
{
    /// <summary>Instance id -> the round whose mask it waits for (rounds after a corrective answer; bounded by the work in progress).</summary>
    [Id(0)] public Dictionary<string, int> Pending { get; set; } = new(StringComparer.Ordinal);

    [Id(1)] public Dictionary<int, int> CompletedByRound { get; set; } = [];

    /// <summary>The latest failures (instance id -> error), at most <see cref="ModelWorkGrain.MaxFailuresKept"/>.</summary>
    [Id(2)] public Dictionary<string, string> Failed { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every instance of the shard imported at or before this sequence number has had its round-0 mask made (or failed).</summary>
    [Id(3)] public long Round0Cursor { get; set; } = -1;

    [Id(4)] public int FailedCount { get; set; }
}

/// <summary>
/// Works through one shard's model work with a bounded number of instance calls in flight (the silo's model host bounds
/// the real concurrency). Round-0 masks are read from the instance table in import order behind a durable cursor, so an
/// import of millions adds no state here; later rounds are few at a time and kept in <see cref="ModelWorkState.Pending"/>.
/// The timer interleaves with <see cref="Request"/> calls, so new work is picked up while earlier calls are running.
/// </summary>
public sealed class ModelWorkGrain(
    [PersistentState("modelwork", StorageNames.Annotation)] IPersistentState<ModelWorkState> state,
    ICampaignStore store,
    Serializer<InstanceState> instanceSerializer,
    ILogger<ModelWorkGrain> logger)
    : Grain, IModelWorkGrain
{
    public const int MaxAttempts = 5;
    public const int MaxFailuresKept = 100;
    const int Round0Page = 256;
    static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
    static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    readonly Dictionary<string, (int Round, Task<ModelMaskOutcome> Call)> inFlight = new(StringComparer.Ordinal);
    /// <summary>Per instance: calls so far (for the back-off), of them the failures that do not pass by waiting, and when to call again.</summary>
    readonly Dictionary<string, (int Attempts, int Failures, DateTimeOffset NotBefore)> retries = new(StringComparer.Ordinal);

    /// <summary>Round-0 work read from the table and not finished yet, by sequence number.</summary>
    readonly SortedDictionary<long, string> round0 = new();
    long round0LoadedUpTo = long.MinValue;
    bool round0Exhausted;
    string? modelName;
    IGrainTimer? pump;
    bool dirty;

    ModelWorkState S => state.State;

    (string CampaignId, int Shard) Key => AnnotationKeys.ParseCampaignShard(this.GetPrimaryKeyString());

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        round0LoadedUpTo = S.Round0Cursor;
        StartPump();
        return Task.CompletedTask;
    }

    public async Task Request(string instanceId, int round)
    {
        if (!AnnotationKeys.IsValidId(instanceId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(instanceId), $"'{instanceId}' is not a valid instance id.");
        if (S.Pending.TryGetValue(instanceId, out var waiting) && waiting >= round)
        {
            // Asked again (the answer is written now, or a submission was repeated): try at once, not after a back-off.
            retries.Remove(instanceId);
            StartPump();
            return;
        }
        S.Pending[instanceId] = round;
        retries.Remove(instanceId);
        await state.WriteOrDeactivateAsync(this);
        StartPump();
    }

    public Task Resume()
    {
        round0Exhausted = false;
        StartPump();
        return Task.CompletedTask;
    }

    public Task<ModelWorkSummary> GetSummary() => Task.FromResult(new ModelWorkSummary(
        S.Pending.Count + round0.Count,
        S.CompletedByRound.Values.Sum(),
        S.FailedCount,
        new Dictionary<int, int>(S.CompletedByRound),
        S.Failed.Select(f => $"{f.Key}: {f.Value}").Take(10).ToArray()));

    void StartPump()
    {
        if (pump is not null) return;
        pump = this.RegisterGrainTimer(Pump, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.Zero,
            Period = TimeSpan.FromMilliseconds(200),
            Interleave = true,
            KeepAlive = true,
        });
    }

    async Task<int> MaxInFlight()
    {
        modelName ??= (await GrainFactory.GetGrain<ICampaignGrain>(Key.CampaignId).GetInfo()).Settings.ModelName;
        // The box model is storage-bound, not compute-bound: more calls in flight keep the database busy.
        return modelName == ModelNames.Box ? 16 : 2;
    }

    async Task Pump(CancellationToken cancellation)
    {
        var limit = await MaxInFlight();
        while (true)
        {
            if (modelName != ModelNames.External && !round0Exhausted && round0.Count < Round0Page / 2)
            {
                var page = await store.InstancesAfter(Key.CampaignId, Key.Shard, round0LoadedUpTo, Round0Page);
                foreach (var item in page) round0[item.Seq] = item.InstanceId;
                if (page.Count > 0) round0LoadedUpTo = page[^1].Seq;
                if (page.Count < Round0Page) round0Exhausted = true;
            }

            if (modelName == ModelNames.Box && await BoxRound0())
            {
                AdvanceRound0Cursor();
                if (dirty)
                {
                    dirty = false;
                    await state.WriteOrDeactivateAsync(this);
                }
                continue;
            }

            var now = DateTimeOffset.UtcNow;
            foreach (var (instanceId, round) in S.Pending)
                if (inFlight.Count < limit) Start(instanceId, round, now);
            foreach (var instanceId in round0.Values)
                if (inFlight.Count < limit) Start(instanceId, 0, now);
            if (inFlight.Count == 0) break;

            await Task.WhenAny(inFlight.Values.Select(v => v.Call));
            foreach (var (instanceId, work) in inFlight.Where(p => p.Value.Call.IsCompleted).ToArray())
            {
                inFlight.Remove(instanceId);
                Finish(instanceId, work.Round, work.Call);
            }
            AdvanceRound0Cursor();
            if (dirty)
            {
                dirty = false;
                await state.WriteOrDeactivateAsync(this);
            }
        }

        if (S.Pending.Count == 0 && round0.Count == 0 && round0Exhausted && inFlight.Count == 0)
        {
            pump?.Dispose();
            pump = null;
        }
    }

    /// <summary>
    /// Queues the paintings of reference instances whose round-0 mask was written here. A queue takes an instance once, and
    /// keeps a painted one as completed, so asking again after a restart adds nothing twice.
    /// </summary>
    async Task EnqueuePaintings(IReadOnlyList<(string InstanceId, int Shard, int Priority, int Paintings)> instances)
    {
        var work = new List<Task>();
        for (var pass = 1; pass <= AnnotationKeys.MaxPaintingPasses; pass++)
            foreach (var g in instances.Where(i => i.Paintings >= pass).GroupBy(i => i.Shard))
                work.Add(GrainFactory.GetGrain<IWorkQueueGrain>(AnnotationKeys.PaintQueue(Key.CampaignId, pass, g.Key))
                    .EnqueueMany(g.Select(i => new QueueItem(i.InstanceId, i.Priority)).ToArray()));
        await Task.WhenAll(work);
    }

    /// <summary>Round-0 masks of instances imported with a reference, scored for the quality report; a failure is logged.</summary>
    async Task RecordReferenceScores(IReadOnlyList<ReferenceScore> scores)
    {
        try
        {
            await store.RecordReferenceScores(Key.CampaignId, scores);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Scoring {Count} round-0 masks of campaign {CampaignId} against their references failed; the quality report goes without them",
                scores.Count, Key.CampaignId);
        }
    }

    /// <summary>
    /// The box model needs no image: a page of round-0 masks is one write of the instance rows (each only if its version is
    /// unchanged, so an instance whose grain is at work keeps its state and goes the one-by-one way) and one of the queue.
    /// False when there was nothing to do this way.
    /// </summary>
    async Task<bool> BoxRound0()
    {
        var batch = round0.Where(p => !inFlight.ContainsKey(p.Value) && !retries.ContainsKey(p.Value)).Take(Round0Page).ToArray();
        if (batch.Length == 0) return false;
        var rows = await store.ReadInstances(Key.CampaignId, batch.Select(b => b.Value).ToArray());
        var writes = new List<(string InstanceId, InstanceStateRow Row, long ExpectedVersion)>();
        var toQueue = new List<(string InstanceId, int Shard, int Priority, bool New, int Paintings)>();
        var scores = new List<ReferenceScore>();
        foreach (var row in rows)
        {
            var instance = InstanceRowStorage.Decode(row.State, instanceSerializer);
            if (instance.Spec is not { } spec) continue;
            if (instance.Status == InstanceStatus.WaitingForModel && instance.CurrentRound == 0 && instance.Masks.Count == 0)
            {
                var mask = InstanceGrain.BoxMask(spec);
                instance.ApplyRound0Mask(mask);
                writes.Add((row.InstanceId, InstanceRowStorage.Row(instance, instanceSerializer), row.Version));
                toQueue.Add((row.InstanceId, ShardMap.ShardOf(row.InstanceId, spec.ShardCount), spec.Priority, true, PaintingRules.PaintingsWanted(row.InstanceId, spec)));
                if (instance.GroundTruth is { } truth) scores.Add(InstanceGrain.ReferenceScoreOf(row.InstanceId, spec, 0, mask, truth));
            }
            else if (instance.Status == InstanceStatus.Queued && instance.CurrentRound == 1 && instance.Masks.Any(m => m.Round == 0))
            {
                // Written before a restart: make sure it reached its queues.
                toQueue.Add((row.InstanceId, ShardMap.ShardOf(row.InstanceId, spec.ShardCount), spec.Priority, false,
                    PaintingRules.PaintingsWanted(row.InstanceId, spec)));
            }
        }
        var written = await store.WriteInstances(Key.CampaignId, writes);
        var queued = toQueue.Where(q => !q.New || written.Contains(q.InstanceId)).ToArray();
        await Task.WhenAll(queued.GroupBy(q => q.Shard).Select(g =>
            GrainFactory.GetGrain<IWorkQueueGrain>(AnnotationKeys.WorkQueue(Key.CampaignId, 1, g.Key))
                .EnqueueMany(g.Select(q => new QueueItem(q.InstanceId, q.Priority)).ToArray())));
        await EnqueuePaintings(queued.Select(q => (q.InstanceId, q.Shard, q.Priority, q.Paintings)).ToArray());
        if (scores.Count > 0) await RecordReferenceScores(scores.Where(s => written.Contains(s.InstanceId)).ToArray());

        var done = new HashSet<string>(queued.Select(q => q.InstanceId), StringComparer.Ordinal);
        var conflicts = writes.Select(w => w.InstanceId).Where(id => !written.Contains(id)).ToHashSet(StringComparer.Ordinal);
        foreach (var (seq, instanceId) in batch)
        {
            // Conflicts stay for the one-by-one way; anything else (answered already, or missing) needs no round-0 mask from here.
            if (conflicts.Contains(instanceId)) continue;
            round0.Remove(seq);
        }
        if (done.Count > 0) S.CompletedByRound[0] = S.CompletedByRound.GetValueOrDefault(0) + done.Count;
        dirty = true;
        return conflicts.Count < batch.Length;
    }

    void Start(string instanceId, int round, DateTimeOffset now)
    {
        if (inFlight.ContainsKey(instanceId)) return;
        if (retries.TryGetValue(instanceId, out var retry) && retry.NotBefore > now) return;
        var instance = GrainFactory.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(Key.CampaignId, instanceId));
        inFlight[instanceId] = (round, instance.ComputeModelMask(round));
    }

    void AdvanceRound0Cursor()
    {
        var cursor = round0.Count > 0 ? round0.First().Key - 1 : round0LoadedUpTo;
        if (cursor <= S.Round0Cursor) return;
        S.Round0Cursor = cursor;
        dirty = true;
    }

    void Finish(string instanceId, int round, Task<ModelMaskOutcome> task)
    {
        var (attempts, failures, _) = retries.GetValueOrDefault(instanceId);
        attempts++;
        if (task.IsCompletedSuccessfully)
        {
            switch (task.Result)
            {
                case ModelMaskOutcome.Made:
                    S.CompletedByRound[round] = S.CompletedByRound.GetValueOrDefault(round) + 1;
                    Done(instanceId, round);
                    break;
                case ModelMaskOutcome.AnswerNotRecorded:
                    // The request came before its answer was written (or that write failed): ask again later, until the
                    // answer is in or the round is answered another way. Dropping it could leave a written answer waiting
                    // for a mask nobody makes.
                    RetryLater(instanceId, attempts, failures);
                    break;
                default:
                    Done(instanceId, round);
                    break;
            }
            return;
        }

        var error = task.Exception?.GetBaseException() ?? new TaskCanceledException();
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CampaignId"] = Key.CampaignId, ["InstanceId"] = instanceId });
        // A lost silo or a database outage passes: the work waits for it however long it lasts, instead of failing for good.
        if (TransientFailures.IsTransient(error))
        {
            logger.LogWarning(error, "Model mask of round {Round} for {InstanceId} failed (attempt {Attempts}, the cluster or the database); retrying",
                round, instanceId, attempts);
            RetryLater(instanceId, attempts, failures);
        }
        else if (++failures >= MaxAttempts || error is AnnotationRejectedException)
        {
            logger.LogError(error, "Model mask of round {Round} for {InstanceId} failed {Failures} times; given up", round, instanceId, failures);
            if (S.Failed.Count >= MaxFailuresKept) S.Failed.Remove(S.Failed.Keys.First());
            S.Failed[instanceId] = error.Message;
            S.FailedCount++;
            Done(instanceId, round);
        }
        else
        {
            logger.LogWarning(error, "Model mask of round {Round} for {InstanceId} failed (attempt {Attempts}); retrying", round, instanceId, attempts);
            RetryLater(instanceId, attempts, failures);
        }
    }

    void RetryLater(string instanceId, int attempts, int failures)
    {
        var delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, RetryDelay.Ticks << Math.Min(attempts - 1, 16)));
        retries[instanceId] = (attempts, failures, DateTimeOffset.UtcNow + delay);
    }

    void Done(string instanceId, int round)
    {
        retries.Remove(instanceId);
        dirty = true;
        if (round == 0)
        {
            foreach (var (seq, id) in round0)
            {
                if (id != instanceId) continue;
                round0.Remove(seq);
                break;
            }
        }
        if (S.Pending.TryGetValue(instanceId, out var pending) && pending == round) S.Pending.Remove(instanceId);
    }
}
