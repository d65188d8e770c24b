using Grains.Interfaces;

namespace Grains;

[GenerateSerializer, Alias("AnnotatorState")]
public sealed class AnnotatorState
{
    [Id(0)] public bool Qualified { get; set; }

    [Id(1)] public CurrentLease? Lease { get; set; }

    [Id(2)] public List<AnnotatorHistoryEntry> History { get; set; } = [];

    /// <summary>Campaigns this annotator has been registered with.</summary>
    [Id(3)] public HashSet<string> Campaigns { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Hands out work and takes answers for one annotator. It waits on campaign, queue and instance grains,
/// none of which call back into it, so it needs no reentrancy.
/// </summary>
public sealed class AnnotatorGrain(
    [PersistentState("annotator", StorageNames.Annotation)] IPersistentState<AnnotatorState> state)
    : Grain, IAnnotatorGrain
{
    AnnotatorState S => state.State;
    string AnnotatorId => this.GetPrimaryKeyString();

    public async Task SetQualified(bool qualified)
    {
        if (S.Qualified == qualified) return;
        S.Qualified = qualified;
        await state.WriteStateAsync();
    }

    public Task<bool> IsQualified() => Task.FromResult(S.Qualified);

    public Task<CurrentLease?> GetLease() =>
        Task.FromResult(S.Lease is { } lease && lease.ExpiresAt > DateTimeOffset.UtcNow ? lease : null);

    public async Task<WorkAssignment?> RequestWork(string campaignId)
    {
        if (!AnnotationKeys.IsValidId(campaignId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(campaignId), $"'{campaignId}' is not a valid campaign id.");
        if (!S.Qualified)
            throw new AnnotationRejectedException(RejectionCodes.NotQualified, "annotatorId", $"Annotator {AnnotatorId} is not qualified.");

        var now = DateTimeOffset.UtcNow;
        if (S.Lease is { } held && held.ExpiresAt > now)
        {
            var instance = GrainFactory.GetGrain<IInstanceGrain>(held.InstanceKey);
            return Assignment(held, await instance.MarkLeased(AnnotatorId, held.Round, held.ExpiresAt));
        }

        // Asked every time (an interleaved read): a cached status would hand out work after a pause.
        var info = await GrainFactory.GetGrain<ICampaignGrain>(campaignId).GetInfo();
        if (info.Status != CampaignStatus.Running)
            throw new AnnotationRejectedException(RejectionCodes.CampaignNotRunning, "campaignId",
                $"Campaign {campaignId} is {info.Status}, not Running.");

        var settings = info.Settings;
        var firstShard = (int)(ShardMap.StableHash(AnnotatorId) % (uint)settings.ShardCount);
        for (var round = 1; round <= info.HighestRound; round++)
        {
            for (var i = 0; i < settings.ShardCount; i++)
            {
                var shard = (firstShard + i) % settings.ShardCount;
                var queue = GrainFactory.GetGrain<IWorkQueueGrain>(AnnotationKeys.WorkQueue(campaignId, round, shard));
                var lease = await queue.Lease(AnnotatorId, settings.LeaseDuration);
                if (lease is null) continue;

                var key = AnnotationKeys.Instance(campaignId, lease.InstanceId);
                var instance = GrainFactory.GetGrain<IInstanceGrain>(key);
                var view = await instance.MarkLeased(AnnotatorId, round, lease.ExpiresAt);
                if (!S.Campaigns.Contains(campaignId))
                {
                    await GrainFactory.GetGrain<ICampaignGrain>(campaignId).RegisterAnnotator(AnnotatorId);
                    S.Campaigns.Add(campaignId);
                }
                var current = new CurrentLease(campaignId, key, round, lease.ExpiresAt);
                S.Lease = current;
                await state.WriteStateAsync();
                // Prepare the model for this task and for the one the annotator will most likely get next.
                instance.WarmUp().Ignore();
                if (lease.LikelyNextInstanceId is { } next)
                    GrainFactory.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, next)).WarmUp().Ignore();
                return Assignment(current, view);
            }
        }

        if (S.Lease is not null)
        {
            S.Lease = null;
            await state.WriteStateAsync();
        }
        return null;
    }

    public async Task<SubmissionResult> Submit(string instanceKey, Submission submission)
    {
        if (submission is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(submission), "Submission is missing.");
        if (submission.AnnotatorId != AnnotatorId)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "annotatorId",
                $"Submission names annotator {submission.AnnotatorId}, not {AnnotatorId}.");

        var instance = GrainFactory.GetGrain<IInstanceGrain>(instanceKey);
        var recorded = S.History.Any(h => h.SubmissionId == submission.SubmissionId && h.InstanceKey == instanceKey);
        if (!recorded && S.Lease?.InstanceKey != instanceKey)
        {
            // Only on this refusal path: say whether the instance is missing rather than someone else's.
            if ((await instance.GetState()).Spec is null)
                throw new AnnotationRejectedException(RejectionCodes.NotInitialized, "instanceId", $"Instance {instanceKey} does not exist.");
            throw new AnnotationRejectedException(RejectionCodes.LeaseNotHeld, "annotatorId",
                $"Annotator {AnnotatorId} holds no lease on {instanceKey}.");
        }

        if (!recorded)
        {
            // Work leased before a pause or finish is refused after it; a repeated submission still gets its first answer.
            var (campaignId, _) = AnnotationKeys.ParseInstance(instanceKey);
            var status = (await GrainFactory.GetGrain<ICampaignGrain>(campaignId).GetInfo()).Status;
            if (status != CampaignStatus.Running)
                throw new AnnotationRejectedException(RejectionCodes.CampaignNotRunning, "campaignId",
                    $"Campaign {campaignId} is {status}, not Running; the answer was not recorded.");
        }

        var result = await instance.Submit(submission);
        if (recorded) return result;

        S.History.Add(new AnnotatorHistoryEntry(result.SubmissionId, instanceKey, result.Round, result.ClickCount,
            result.SecondsSpent, result.Outcome == SubmissionOutcome.Skipped, DateTimeOffset.UtcNow));
        if (S.Lease?.InstanceKey == instanceKey) S.Lease = null;
        await state.WriteStateAsync();
        return result;
    }

    public async Task<bool> ReleaseWork()
    {
        if (S.Lease is not { } lease) return false;
        var (campaignId, instanceId) = AnnotationKeys.ParseInstance(lease.InstanceKey);
        var instance = GrainFactory.GetGrain<IInstanceGrain>(lease.InstanceKey);
        var spec = (await instance.GetState()).Spec;
        if (spec is not null)
        {
            var queue = GrainFactory.GetGrain<IWorkQueueGrain>(
                AnnotationKeys.WorkQueue(campaignId, lease.Round, ShardMap.ShardOf(instanceId, spec.ShardCount)));
            await queue.Release(AnnotatorId, instanceId);
        }
        await instance.ClearLease(AnnotatorId);
        S.Lease = null;
        await state.WriteStateAsync();
        return true;
    }

    public Task<AnnotatorProfile> GetProfile()
    {
        var lease = S.Lease is { } l && l.ExpiresAt > DateTimeOffset.UtcNow ? l : null;
        return Task.FromResult(new AnnotatorProfile(AnnotatorId, S.Qualified, lease, S.History.ToArray(), Statistics(S.History)));
    }

    public static AnnotatorStatistics Statistics(IReadOnlyCollection<AnnotatorHistoryEntry> history)
    {
        var answered = history.Where(h => !h.Skipped).ToArray();
        var instances = answered.Select(h => h.InstanceKey).Distinct(StringComparer.Ordinal).Count();
        var clicks = answered.Sum(h => h.Clicks);
        var seconds = answered.Sum(h => h.SecondsSpent);
        return new AnnotatorStatistics(
            instances, answered.Length, clicks,
            instances == 0 ? 0 : (double)clicks / instances,
            instances == 0 ? 0 : seconds / instances,
            history.Count - answered.Length);
    }

    static WorkAssignment Assignment(CurrentLease lease, InstanceView view) =>
        new(lease.CampaignId, lease.InstanceKey, lease.Round, lease.ExpiresAt, view.Spec!,
            view.Masks.LastOrDefault()?.Mask, view.Clicks);
}
