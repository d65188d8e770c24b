using Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace Grains;

[GenerateSerializer, Alias("ModelWorkState")]
public sealed class ModelWorkState
{
    /// <summary>Instance id -> the round whose mask it waits for.</summary>
    [Id(0)] public Dictionary<string, int> Pending { get; set; } = new(StringComparer.Ordinal);

    [Id(1)] public Dictionary<int, int> CompletedByRound { get; set; } = [];

    /// <summary>Instance id -> the last error, for instances given up on after <see cref="ModelWorkGrain.MaxAttempts"/> attempts.</summary>
    [Id(2)] public Dictionary<string, string> Failed { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Works through one shard's model requests with at most <see cref="MaxInFlight"/> instance calls at a time (the
/// silo's model host bounds the real concurrency). The timer interleaves with <see cref="Request"/> calls, so new
/// work is picked up while earlier calls are running.
/// </summary>
public sealed class ModelWorkGrain(
    [PersistentState("modelwork", StorageNames.Annotation)] IPersistentState<ModelWorkState> state,
    ILogger<ModelWorkGrain> logger)
    : Grain, IModelWorkGrain
{
    public const int MaxAttempts = 3;
    const int MaxInFlight = 2;
    static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    readonly Dictionary<string, Task<bool>> inFlight = new(StringComparer.Ordinal);
    readonly Dictionary<string, (int Attempts, DateTimeOffset NotBefore)> retries = new(StringComparer.Ordinal);
    IGrainTimer? pump;
    bool dirty;

    ModelWorkState S => state.State;

    string CampaignId => AnnotationKeys.ParseCampaignShard(this.GetPrimaryKeyString()).CampaignId;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Pending.Count > 0) StartPump();
        return Task.CompletedTask;
    }

    public async Task Request(string instanceId, int round)
    {
        if (!AnnotationKeys.IsValidId(instanceId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(instanceId), $"'{instanceId}' is not a valid instance id.");
        if (S.Pending.TryGetValue(instanceId, out var waiting) && waiting >= round)
        {
            StartPump();
            return;
        }
        S.Pending[instanceId] = round;
        S.Failed.Remove(instanceId);
        retries.Remove(instanceId);
        await state.WriteStateAsync();
        StartPump();
    }

    public Task Resume()
    {
        if (S.Pending.Count > 0) StartPump();
        return Task.CompletedTask;
    }

    public Task<ModelWorkSummary> GetSummary() => Task.FromResult(new ModelWorkSummary(
        S.Pending.Count,
        S.CompletedByRound.Values.Sum(),
        S.Failed.Count,
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

    async Task Pump(CancellationToken cancellation)
    {
        while (true)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var (instanceId, round) in S.Pending.ToArray())
            {
                if (inFlight.Count >= MaxInFlight) break;
                if (inFlight.ContainsKey(instanceId)) continue;
                if (retries.TryGetValue(instanceId, out var retry) && retry.NotBefore > now) continue;
                var instance = GrainFactory.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(CampaignId, instanceId));
                inFlight[instanceId] = instance.ComputeModelMask(round);
            }
            if (inFlight.Count == 0) break;

            await Task.WhenAny(inFlight.Values);
            foreach (var (instanceId, task) in inFlight.Where(p => p.Value.IsCompleted).ToArray())
            {
                inFlight.Remove(instanceId);
                Finish(instanceId, task);
            }
            if (dirty)
            {
                dirty = false;
                await state.WriteStateAsync();
            }
        }

        if (S.Pending.Count == 0)
        {
            pump?.Dispose();
            pump = null;
        }
    }

    void Finish(string instanceId, Task<bool> task)
    {
        if (!S.Pending.TryGetValue(instanceId, out var round)) return;
        if (task.IsCompletedSuccessfully)
        {
            // False: the instance no longer waits for this round's mask (answered another way); nothing to do.
            if (task.Result) S.CompletedByRound[round] = S.CompletedByRound.GetValueOrDefault(round) + 1;
            S.Pending.Remove(instanceId);
            retries.Remove(instanceId);
            dirty = true;
            return;
        }

        var error = task.Exception?.GetBaseException() ?? new TaskCanceledException();
        var attempts = retries.GetValueOrDefault(instanceId).Attempts + 1;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CampaignId"] = CampaignId, ["InstanceId"] = instanceId });
        if (attempts >= MaxAttempts || error is AnnotationRejectedException)
        {
            logger.LogError(error, "Model mask of round {Round} for {InstanceId} failed {Attempts} times; given up", round, instanceId, attempts);
            S.Pending.Remove(instanceId);
            S.Failed[instanceId] = error.Message;
            retries.Remove(instanceId);
            dirty = true;
        }
        else
        {
            logger.LogWarning(error, "Model mask of round {Round} for {InstanceId} failed (attempt {Attempts}); retrying", round, instanceId, attempts);
            retries[instanceId] = (attempts, DateTimeOffset.UtcNow + RetryDelay * attempts);
        }
    }
}
