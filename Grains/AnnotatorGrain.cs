using System.Globalization;
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

    /// <summary>Whether the annotator may paint reference masks (a qualification separate from corrective clicks).</summary>
    [Id(4)] public bool PaintingQualified { get; set; }

    /// <summary>Leases taken, over all campaigns: with the annotator id it decides, by a stable hash, which task is gold.</summary>
    [Id(5)] public long LeasesTaken { get; set; }

    /// <summary>Per campaign, the last gold instance the annotator was offered or passed over.</summary>
    [Id(6)] public Dictionary<string, GoldCursor> GoldCursors { get; set; } = new(StringComparer.Ordinal);
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
        if (!qualified && S.Lease is { IsPainting: false }) await ReleaseWork();
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
            if (held.IsPainting)
                throw new AnnotationRejectedException(RejectionCodes.LeaseNotHeld, "annotatorId",
                    $"Annotator {AnnotatorId} holds a painting task ({held.InstanceKey}); submit or release it before annotating.");
            var instance = GrainFactory.GetGrain<IInstanceGrain>(held.InstanceKey);
            if (!held.Gold) return Assignment(held, await instance.MarkLeased(AnnotatorId, held.Round, held.ExpiresAt));
            if (await instance.PrepareGold(AnnotatorId) is { } heldGold) return GoldAssignment(held, heldGold);
        }

        var info = await RequireRunning(campaignId);
        var settings = info.Settings;
        if (GoldDue(settings.GoldRate) && await LeaseGold(campaignId, settings, now) is { } gold) return gold;
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
                catch (AnnotationRejectedException e) when (e.Code is RejectionCodes.AlreadyPainted)
                {
                    // Back to the queue for someone else; the queue never offers it to this annotator again in this round.
                    await queue.Release(AnnotatorId, lease.InstanceId);
                    i--;
                    continue;
                }
                await Register(campaignId);
                var current = new CurrentLease(campaignId, key, round, lease.ExpiresAt);
                S.Lease = current;
                S.LeasesTaken++;
                await state.WriteOrDeactivateAsync(this);
                // Prepare the model for this task and for the one the annotator will most likely get next.
                instance.WarmUp().Ignore();
                if (lease.LikelyNextInstanceId is { } next)
                    GrainFactory.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, next)).WarmUp().Ignore();
                return Assignment(current, view);
            }
        }

        await ForgetLapsedLease();
        return null;
    }

    /// <summary>Whether the next task is gold: a stable hash of the annotator and their lease count, below the campaign's rate.</summary>
    bool GoldDue(double rate) =>
        rate > 0 && ShardMap.StableHash(string.Create(CultureInfo.InvariantCulture, $"{AnnotatorId}#gold#{S.LeasesTaken}")) % 10000 < rate * 10000;

    /// <summary>
    /// Leases the campaign's next gold instance the annotator does not know (never answered, painted or held), walking the
    /// gold instances in order from where they left off; null when none is left, and the annotator gets a regular task.
    /// </summary>
    async Task<WorkAssignment?> LeaseGold(string campaignId, CampaignSettings settings, DateTimeOffset now)
    {
        const int MaxPassedOver = 20;
        var cursor = S.GoldCursors.GetValueOrDefault(campaignId);
        for (var i = 0; i < MaxPassedOver; i++)
        {
            if (await store.NextGold(campaignId, cursor is null ? null : new GoldPosition(cursor.AddedAt, cursor.InstanceId)) is not { } next) break;
            cursor = new GoldCursor(next.AddedAt, next.InstanceId);
            var key = AnnotationKeys.Instance(campaignId, next.InstanceId);
            if (await GrainFactory.GetGrain<IInstanceGrain>(key).PrepareGold(AnnotatorId) is not { } task) continue;
            await Register(campaignId);
            var lease = new CurrentLease(campaignId, key, 1, now + settings.LeaseDuration, Gold: true);
            S.GoldCursors[campaignId] = cursor;
            S.Lease = lease;
            S.LeasesTaken++;
            await state.WriteOrDeactivateAsync(this);
            return GoldAssignment(lease, task);
        }
        // Those passed over stay passed over; the cursor is written with the next lease.
        if (cursor is not null) S.GoldCursors[campaignId] = cursor;
        return null;
    }

    static WorkAssignment GoldAssignment(CurrentLease lease, GoldTask task) =>
        new(lease.CampaignId, lease.InstanceKey, 1, lease.ExpiresAt, task.Spec, task.Mask, []);

    async Task<SubmissionResult> SubmitGold(string campaignId, string instanceId, Submission submission)
    {
        var key = AnnotationKeys.Instance(campaignId, instanceId);
        var row = await store.GoldAnswer(campaignId, submission.SubmissionId);
        if (row is not null && (row.AnnotatorId != AnnotatorId || row.InstanceId != instanceId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "submissionId",
                $"Submission id '{submission.SubmissionId}' was used for another answer; send a new one.");
        if (row is null)
        {
            await RequireRunning(campaignId);
            var score = await GrainFactory.GetGrain<IInstanceGrain>(key).ScoreGold(submission);
            row = new GoldAnswerRow(campaignId, submission.SubmissionId, instanceId, AnnotatorId, submission.Clicks.Count, submission.SecondsSpent,
                submission.Skip, score.Gain, DateTimeOffset.UtcNow.UtcTicks, score.Quality);
            await store.RecordGoldAnswer(row);
        }
        await ForgetLease(key);
        return GoldResult(key, row);
    }

    /// <summary>A gold answer's result, shaped as the same answer to the instance's round 1 would be.</summary>
    static SubmissionResult GoldResult(string key, GoldAnswerRow row)
    {
        var (outcome, status) = row.Skipped ? (SubmissionOutcome.Skipped, InstanceStatus.Skipped)
            : row.Clicks == 0 ? (SubmissionOutcome.Accepted, InstanceStatus.Done)
            : (SubmissionOutcome.NeedsModel, InstanceStatus.WaitingForModel);
        return new SubmissionResult(row.SubmissionId, key, 1, outcome, row.Clicks, row.Seconds, status);
    }

    public async Task<PreviewResult> Preview(string instanceKey, int round, IReadOnlyList<SubmittedClick> clicks)
    {
        var instance = GrainFactory.GetGrain<IInstanceGrain>(instanceKey);
        if (S.Lease is not { Gold: true } gold || gold.InstanceKey != instanceKey || gold.ExpiresAt <= DateTimeOffset.UtcNow)
            return await instance.Preview(AnnotatorId, round, clicks);
        if (round != 1)
            throw new AnnotationRejectedException(RejectionCodes.WrongRound, "round", $"Instance {instanceKey} is in round 1, not {round}.");
        return await instance.PreviewGold(clicks);
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
        if (S.Lease is { Gold: true } gold && gold.InstanceKey == instanceKey && gold.ExpiresAt > DateTimeOffset.UtcNow)
            return await SubmitGold(campaignId, instanceId, submission);
        var recorded = await store.HasAnswer(campaignId, instanceId, submission.SubmissionId);
        // A gold answer repeated after its lease was given up, perhaps with the instance's real round leased to them since.
        // Read only for annotators who were offered gold in the campaign: most submissions skip it.
        if (!recorded && S.GoldCursors.ContainsKey(campaignId) && await store.GoldAnswer(campaignId, submission.SubmissionId) is { } earlierGold
            && earlierGold.AnnotatorId == AnnotatorId && earlierGold.InstanceId == instanceId)
            return GoldResult(instanceKey, earlierGold);
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


    public async Task SetPaintingQualified(bool qualified)
    {
        if (!qualified && S.Lease is { IsPainting: true }) await ReleaseWork();
        if (S.PaintingQualified == qualified) return;
        S.PaintingQualified = qualified;
        await state.WriteOrDeactivateAsync(this);
    }

    public Task<bool> IsPaintingQualified() => Task.FromResult(S.PaintingQualified);

    public async Task<PaintingAssignment?> RequestPainting(string campaignId)
    {
        if (!AnnotationKeys.IsValidId(campaignId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(campaignId), $"'{campaignId}' is not a valid campaign id.");
        if (!S.PaintingQualified)
            throw new AnnotationRejectedException(RejectionCodes.NotQualified, "annotatorId", $"Annotator {AnnotatorId} is not qualified for painting.");

        var now = DateTimeOffset.UtcNow;
        if (S.Lease is { } held && held.ExpiresAt > now)
        {
            if (!held.IsPainting)
                throw new AnnotationRejectedException(RejectionCodes.LeaseNotHeld, "annotatorId",
                    $"Annotator {AnnotatorId} holds an annotation task ({held.InstanceKey}); answer or release it before painting.");
            try
            {
                var spec = await GrainFactory.GetGrain<IInstanceGrain>(held.InstanceKey).CheckPaintingTask(AnnotatorId, held.PaintingPass);
                return new PaintingAssignment(held.CampaignId, held.InstanceKey, held.PaintingPass, held.ExpiresAt, spec);
            }
            catch (AnnotationRejectedException e) when (e.Code is RejectionCodes.WrongStatus or RejectionCodes.AlreadyPainted)
            {
                // Painted already: an answer whose lease could not be forgotten then. A new task follows.
                await ForgetLapsedLease();
            }
        }

        var info = await RequireRunning(campaignId);
        var settings = info.Settings;
        var firstShard = (int)(ShardMap.StableHash(AnnotatorId) % (uint)settings.ShardCount);
        for (var pass = 1; pass <= AnnotationKeys.MaxPaintingPasses; pass++)
        {
            for (var i = 0; i < settings.ShardCount; i++)
            {
                var queue = GrainFactory.GetGrain<IWorkQueueGrain>(AnnotationKeys.PaintQueue(campaignId, pass, (firstShard + i) % settings.ShardCount));
                var lease = await queue.Lease(AnnotatorId, settings.LeaseDuration);
                if (lease is null) continue;

                var key = AnnotationKeys.Instance(campaignId, lease.InstanceId);
                var instance = GrainFactory.GetGrain<IInstanceGrain>(key);
                InstanceSpec spec;
                try
                {
                    spec = await instance.CheckPaintingTask(AnnotatorId, pass);
                }
                catch (AnnotationRejectedException e) when (e.Code is RejectionCodes.WrongStatus)
                {
                    // A stale entry: the pass was painted but the queue did not hear of it (a failed call).
                    await queue.Complete(lease.InstanceId, RoundOutcome.Accepted);
                    i--;
                    continue;
                }
                catch (AnnotationRejectedException e) when (e.Code is RejectionCodes.AlreadyPainted)
                {
                    // Back to the queue for another painter; the queue never offers it to this one again.
                    await queue.Release(AnnotatorId, lease.InstanceId);
                    i--;
                    continue;
                }
                await Register(campaignId);
                var current = new CurrentLease(campaignId, key, 0, lease.ExpiresAt, pass);
                S.Lease = current;
                await state.WriteOrDeactivateAsync(this);
                return new PaintingAssignment(campaignId, key, pass, lease.ExpiresAt, spec);
            }
        }
        await ForgetLapsedLease();
        return null;
    }

    public async Task<PaintingResult> SubmitPainting(string instanceKey, PaintingSubmission submission)
    {
        if (submission is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(submission), "Submission is missing.");
        if (submission.PainterId != AnnotatorId)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "annotatorId", $"Submission names painter {submission.PainterId}, not {AnnotatorId}.");
        if (!AnnotationKeys.TryParseInstance(instanceKey, out var campaignId, out _))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "instanceId", $"'{instanceKey}' is not an instance key.");
        if (!AnnotationKeys.IsValidId(submission.SubmissionId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "submissionId", $"'{submission.SubmissionId}' is not a valid id.");

        var instance = GrainFactory.GetGrain<IInstanceGrain>(instanceKey);
        if (await instance.GetPaintingResult(submission.SubmissionId, AnnotatorId) is { } earlier)
        {
            await ForgetLease(instanceKey);
            return earlier;
        }
        if (S.Lease is not { IsPainting: true } lease || lease.InstanceKey != instanceKey || lease.ExpiresAt <= DateTimeOffset.UtcNow)
        {
            if ((await instance.GetState()).Spec is null)
                throw new AnnotationRejectedException(RejectionCodes.NotInitialized, "instanceId", $"Instance {instanceKey} does not exist.");
            throw new AnnotationRejectedException(RejectionCodes.LeaseNotHeld, "annotatorId", $"Annotator {AnnotatorId} holds no painting lease on {instanceKey}.");
        }
        await RequireRunning(campaignId);
        var result = await instance.SubmitPainting(submission with { Pass = lease.PaintingPass });
        await ForgetLease(instanceKey);
        return result;
    }

    async Task<CampaignInfo> RequireRunning(string campaignId)
    {
        // Asked every time (an interleaved read): a cached status would hand out work after a pause.
        var info = await GrainFactory.GetGrain<ICampaignGrain>(campaignId).GetInfo();
        if (info.Status != CampaignStatus.Running)
            throw new AnnotationRejectedException(RejectionCodes.CampaignNotRunning, "campaignId", $"Campaign {campaignId} is {info.Status}, not Running.");
        return info;
    }

    async Task Register(string campaignId)
    {
        if (S.Campaigns.Contains(campaignId)) return;
        await GrainFactory.GetGrain<ICampaignGrain>(campaignId).RegisterAnnotator(AnnotatorId);
        S.Campaigns.Add(campaignId);
    }

    async Task ForgetLease(string instanceKey)
    {
        if (S.Lease?.InstanceKey != instanceKey) return;
        S.Lease = null;
        await state.WriteOrDeactivateAsync(this);
    }

    async Task ForgetLapsedLease()
    {
        if (S.Lease is null) return;
        S.Lease = null;
        await state.WriteOrDeactivateAsync(this);
    }

    public async Task<bool> ReleaseWork()
    {
        if (S.Lease is not { } lease) return false;
        var (campaignId, instanceId) = AnnotationKeys.ParseInstance(lease.InstanceKey);
        var instance = GrainFactory.GetGrain<IInstanceGrain>(lease.InstanceKey);
        if (lease.Gold)
        {
            await ForgetLapsedLease();
            return true;
        }
        if (lease.IsPainting)
        {
            var shardCount = (await GrainFactory.GetGrain<ICampaignGrain>(campaignId).GetInfo()).Settings.ShardCount;
            await GrainFactory.GetGrain<IWorkQueueGrain>(AnnotationKeys.PaintQueue(campaignId, lease.PaintingPass, ShardMap.ShardOf(instanceId, shardCount)))
                .Release(AnnotatorId, instanceId);
            await ForgetLapsedLease();
            return true;
        }
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
        return new AnnotatorProfile(AnnotatorId, S.Qualified, lease, history, Statistics(await store.AnnotatorCampaigns(AnnotatorId)), S.PaintingQualified);
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
