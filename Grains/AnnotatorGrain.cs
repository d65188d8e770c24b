using Grains.Interfaces;
using Grains.Store;
using Segmentation.Campaigns;

namespace Grains;

[GenerateSerializer, Alias("AnnotatorState")]
public sealed class AnnotatorState
{
    [Id(0)] public bool Qualified { get; set; }

    [Id(1)] public CurrentLease? Lease { get; set; }

    /// <summary>Campaigns this annotator has been registered with.</summary>
    [Id(3)] public HashSet<string> Campaigns { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Hands out work and takes answers for one annotator. It waits on campaign, queue and instance grains,
/// none of which call back into it, so it needs no reentrancy. Its answers are rows of the campaign tables, with
/// running totals per campaign; the grain's own state is the qualification, the current lease and its campaigns.
/// </summary>
public sealed class AnnotatorGrain(
    [PersistentState("annotator", StorageNames.Annotation)] IPersistentState<AnnotatorState> state,
    ICampaignStore store)
    : Grain, IAnnotatorGrain
{
    /// <summary>How many of the latest answers a profile lists.</summary>
    public const int ProfileHistory = 200;

    AnnotatorState S => state.State;
    string AnnotatorId => this.GetPrimaryKeyString();

    public async Task SetQualified(bool qualified)
    {
        // A suspended annotator's open work goes back to the queue at once, not when the lease runs out; an answer to it
        // is then refused (lease not held).
        if (!qualified && S.Lease is not null) await ReleaseWork();
        if (S.Qualified == qualified) return;
        S.Qualified = qualified;
        await state.WriteOrDeactivateAsync(this);
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
                InstanceView view;
                try
                {
                    view = await instance.MarkLeased(AnnotatorId, round, lease.ExpiresAt);
                }
                catch (AnnotationRejectedException e) when (e.Code is RejectionCodes.WrongStatus or RejectionCodes.WrongRound)
                {
                    // A stale entry: the instance answered this round but the queue did not hear of it (a failed call).
                    await SettleStaleEntry(queue, instance, lease.InstanceId, round);
                    i--;
                    continue;
                }
                if (!S.Campaigns.Contains(campaignId))
                {
                    await GrainFactory.GetGrain<ICampaignGrain>(campaignId).RegisterAnnotator(AnnotatorId);
                    S.Campaigns.Add(campaignId);
                }
                var current = new CurrentLease(campaignId, key, round, lease.ExpiresAt);
                S.Lease = current;
                await state.WriteOrDeactivateAsync(this);
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
            await state.WriteOrDeactivateAsync(this);
        }
        return null;
    }

    static async Task SettleStaleEntry(IWorkQueueGrain queue, IInstanceGrain instance, string instanceId, int round)
    {
        var view = await instance.GetState();
        var answer = view.Answers.LastOrDefault(a => a.Round == round);
        var outcome = answer is null || answer.Skipped ? RoundOutcome.Skipped : answer.ClickCount == 0 ? RoundOutcome.Accepted : RoundOutcome.Corrected;
        await queue.Complete(instanceId, outcome);
    }

    public async Task<SubmissionResult> Submit(string instanceKey, Submission submission)
    {
        if (submission is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(submission), "Submission is missing.");
        if (submission.AnnotatorId != AnnotatorId)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "annotatorId",
                $"Submission names annotator {submission.AnnotatorId}, not {AnnotatorId}.");

        var instance = GrainFactory.GetGrain<IInstanceGrain>(instanceKey);
        if (!AnnotationKeys.TryParseInstance(instanceKey, out var campaignId, out var instanceId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "instanceId", $"'{instanceKey}' is not an instance key.");
        if (!AnnotationKeys.IsValidId(submission.SubmissionId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "submissionId", $"'{submission.SubmissionId}' is not a valid id.");
        var recorded = await store.HasAnswer(campaignId, instanceId, submission.SubmissionId);
        if (!recorded && S.Lease?.InstanceKey != instanceKey)
        {
            // Only on this refusal path: say whether the instance is missing rather than someone else's.
            if ((await instance.GetState()).Spec is null)
                throw new AnnotationRejectedException(RejectionCodes.NotInitialized, "instanceId", $"Instance {instanceKey} does not exist.");
            throw new AnnotationRejectedException(RejectionCodes.LeaseNotHeld, "annotatorId",
                $"Annotator {AnnotatorId} holds no lease on {instanceKey}.");
        }

        CampaignInfo? campaign = null;
        if (!recorded)
        {
            // Work leased before a pause or finish is refused after it; a repeated submission still gets its first answer.
            campaign = await GrainFactory.GetGrain<ICampaignGrain>(campaignId).GetInfo();
            // Unless the instance took it already (a first call that stopped before its answer row): that one is recorded now.
            if (campaign.Status != CampaignStatus.Running
                && !(await instance.GetState()).Answers.Any(a => a.SubmissionId == submission.SubmissionId))
                throw new AnnotationRejectedException(RejectionCodes.CampaignNotRunning, "campaignId",
                    $"Campaign {campaignId} is {campaign.Status}, not Running; the answer was not recorded.");
        }

        var result = await instance.Submit(submission);
        if (campaign is not null)
        {
            // Not recorded before, so recorded now even when the instance had already taken it (a first call that stopped in between).
            var skipped = result.Outcome == SubmissionOutcome.Skipped;
            var at = DateTimeOffset.UtcNow;
            await store.RecordAnswer(
                new AnswerRow(campaignId, instanceId, result.SubmissionId, AnnotatorId, result.Round, result.ClickCount, result.SecondsSpent, skipped, at.UtcTicks,
                    result.Quality),
                AnswerCounters.Of(result.Round, result.ClickCount, skipped, result.SecondsSpent, at, campaign.Settings.Rounds));
        }
        if (S.Lease?.InstanceKey == instanceKey)
        {
            S.Lease = null;
            await state.WriteOrDeactivateAsync(this);
        }
        // How the answer did against a reference is for managers, never for the annotator who gave it.
        return result with { Quality = null };
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
        await state.WriteOrDeactivateAsync(this);
        return true;
    }

    public async Task<AnnotatorProfile> GetProfile()
    {
        var lease = S.Lease is { } l && l.ExpiresAt > DateTimeOffset.UtcNow ? l : null;
        var history = (await store.RecentAnswers(AnnotatorId, ProfileHistory)).Select(History).ToArray();
        return new AnnotatorProfile(AnnotatorId, S.Qualified, lease, history, Statistics(await store.AnnotatorCampaigns(AnnotatorId)));
    }

    public static AnnotatorHistoryEntry History(AnswerRow a) =>
        new(a.SubmissionId, AnnotationKeys.Instance(a.CampaignId, a.InstanceId), a.Round, a.Clicks, a.Seconds, a.Skipped,
            new DateTimeOffset(a.AtTicks, TimeSpan.Zero));

    /// <summary>Answers (not skipped), distinct instances answered, clicks and seconds per instance, and skips, summed over campaigns.</summary>
    public static AnnotatorStatistics Statistics(IReadOnlyCollection<AnnotatorTotals> totals)
    {
        var instances = totals.Sum(t => t.Instances);
        var clicks = totals.Sum(t => t.Clicks);
        var seconds = totals.Sum(t => t.Seconds);
        return new AnnotatorStatistics(
            (int)instances, (int)totals.Sum(t => t.Answers), (int)clicks,
            instances == 0 ? 0 : (double)clicks / instances,
            instances == 0 ? 0 : seconds / instances,
            (int)totals.Sum(t => t.Skipped));
    }

    static WorkAssignment Assignment(CurrentLease lease, InstanceView view) =>
        new(lease.CampaignId, lease.InstanceKey, lease.Round, lease.ExpiresAt, view.Spec!,
            view.Masks.LastOrDefault()?.Mask, view.Clicks);
}
