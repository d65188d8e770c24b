using Grains.Interfaces;
using Grains.Store;
using Microsoft.Extensions.Logging;
using Segmentation.Masks;
using Segmentation.Quality;
using Segmentation.Ranking;

namespace Grains;

/// <summary>
/// One object's annotation: its rounds, masks, clicks and answers. The grain orders the steps between the queue, the
/// model work and the quality index; the rules (what an answer must satisfy, how a round is assessed) are pure functions
/// of its state (<see cref="AnswerRules"/>, <see cref="InstanceState"/>). It is activated from its row when first used
/// and leaves memory after its round-0 mask.
/// </summary>
public sealed class InstanceGrain(
    [PersistentState("instance", StorageNames.Instances)] IPersistentState<InstanceState> state,
    ICampaignStore store,
    ILogger<InstanceGrain> logger)
    : Grain, IInstanceGrain
{
    InstanceState S => state.State;
    string Key => this.GetPrimaryKeyString();

    public async Task<ModelMaskOutcome> ComputeModelMask(int round)
    {
        var spec = RequireSpec();
        if (S.Masks.Any(m => m.Round == round))
        {
            // Asked again (after a restart): the mask was stored, but the process may have stopped before the
            // instance reached the next round's queue. Enqueueing is idempotent.
            if (S.Status == InstanceStatus.Queued && S.CurrentRound == round + 1) await EnqueueCurrentRound(spec);
            if (round == 0) await EnqueuePaintings(spec);
            if (S.Status == InstanceStatus.Done && round > spec.Rounds && S.CurrentRound == round) await NotifyExtraRoundFinished(round);
            return ModelMaskOutcome.Made;
        }
        if (S.CurrentRound == round && S.Status is InstanceStatus.Queued or InstanceStatus.Leased) return ModelMaskOutcome.AnswerNotRecorded;
        if (S.Status != InstanceStatus.WaitingForModel || S.CurrentRound != round) return ModelMaskOutcome.NotNeeded;
        if (spec.ModelName == ModelNames.External)
            throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "modelName", $"Instance {Key} takes its masks from outside the silo.");
        if (spec.ModelName == ModelNames.Box)
        {
            await SetModelMask(round, BoxMask(spec));
            if (round == 0) DeactivateOnIdle();
            return ModelMaskOutcome.Made;
        }

        var image = Image(spec);
        // Round 0 is bulk work; later rounds follow a submission and an annotator may be waiting for the instance.
        var answer = await image.Predict(Question(spec, round, null, round == 0 ? InferenceLane.Background : InferenceLane.Soon));
        await SetModelMask(round, answer.Mask, answer.ModelScore);
        // The next round will need the image region the model zooms into; encoding it now, in the background,
        // keeps the encoder out of the annotator's first preview.
        if (S.Status == InstanceStatus.Queued)
            image.Warm(Question(spec, S.CurrentRound, null, round == 0 ? InferenceLane.Background : InferenceLane.Soon)).Ignore();
        logger.LogDebug("Model mask of round {Round} for {InstanceKey}: {DecoderMs:F0} ms decoder, {EncoderMs:F0} ms encoder, {QueueMs:F0} ms queued",
            round, Key, answer.Timing.DecoderMs, answer.Timing.EncoderMs, answer.Timing.QueueMs);
        // After round 0 nobody needs the instance until an annotator leases it, perhaps days later: its row keeps it.
        if (round == 0) DeactivateOnIdle();
        return ModelMaskOutcome.Made;
    }

    public async Task<PreviewResult> Preview(string annotatorId, int round, IReadOnlyList<SubmittedClick> clicks)
    {
        var spec = RequireSpec();
        AnswerRules.ValidateAnswer(Key, S, spec, annotatorId, round, clicks, skip: false, secondsSpent: 0, DateTimeOffset.UtcNow);
        if (spec.ModelName == ModelNames.External)
            throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "modelName", $"Instance {Key} has no model in the silo to preview with.");
        if (spec.ModelName == ModelNames.Box)
            return new PreviewResult(Key, round, new ModelAnswer(BoxMask(spec), null, new ModelTiming(0, 0, 0, 0, 0, 0)));
        var answer = await Image(spec).Predict(Question(spec, round, clicks, InferenceLane.Interactive));
        return new PreviewResult(Key, round, answer);
    }

    public async Task WarmUp()
    {
        var spec = S.Spec;
        if (spec is null || spec.ModelName is ModelNames.External or ModelNames.Box) return;
        if (S.Status is not (InstanceStatus.Queued or InstanceStatus.Leased)) return;
        Image(spec).Warm(Question(spec, S.CurrentRound, null, InferenceLane.Soon)).Ignore();
    }

    public Task<MaskRle?> GetGroundTruth() => Task.FromResult(S.GroundTruth);

    public static MaskRle BoxMask(InstanceSpec spec) =>
        Segmentation.Models.BoxMaskModel.Mask(spec.Box.ToKernel(), spec.ImageWidth, spec.ImageHeight).ToWire();

    /// <summary>
    /// Computes the finished round's quality signals (when the campaign has ground-truth instances), gives them with the
    /// true IoU to the campaign's ranking grain when this is a training instance, and records the round in the instance's
    /// quality index shard, which answers with the predicted IoU once the campaign has a model. The caller writes the state.
    /// Ranking is an addition to the annotation: a failure here is logged and does not undo the round.
    /// </summary>
    async Task AssessRound(int round)
    {
        try
        {
            var spec = RequireSpec();
            S.LastSignals = null;
            S.LastTrueIoU = null;
            // Without imported or painted references the campaign never gets a model: no signals to compute.
            if ((spec.GroundTruthFraction > 0 || spec.ReferenceFraction > 0) && S.Assess(round) is { } assessment)
            {
                var f = assessment.Features;
                S.LastSignals = new QualitySignals(f.ClicksInRound, f.Round, f.MaskChangeIoU, f.MaxClickDistance, f.MeanClickDistance, f.ModelScore);
                S.LastTrueIoU = assessment.TrueIoU;
                if (assessment.TrueIoU is { } trueIoU && TrainsQualityModel(spec))
                    await GrainFactory.GetGrain<IRankingGrain>(AnnotationKeys.ParseInstance(Key).CampaignId).AddExample(InstanceId, S.LastSignals, trueIoU);
            }
            if (await RecordQuality(round) is { } predicted) S.PredictedIoU[round] = predicted;
        }
        catch (Exception ex)
        {
            // Every failure, a cancelled call too: the caller has changed the state already and must get to its write.
            logger.LogError(ex, "Assessing round {Round} of {InstanceKey} failed; the round stands without a predicted IoU", round, Key);
        }
    }

    async Task<double?> RecordQuality(int lastFinishedRound)
    {
        var spec = RequireSpec();
        var (campaignId, instanceId) = AnnotationKeys.ParseInstance(Key);
        var training = TrainsQualityModel(spec);
        var record = new QualityRecord(instanceId, Math.Max(0, lastFinishedRound), S.LastSignals, S.LastTrueIoU, training,
            S.Status == InstanceStatus.Leased ? InstanceStatus.Queued : S.Status, S.Exhausted, S.FinishedAt, S.ExtraRoundsGranted);
        return await GrainFactory.GetGrain<IQualityIndexGrain>(AnnotationKeys.CampaignShard(campaignId, ShardMap.ShardOf(instanceId, spec.ShardCount)))
            .Record(record);
    }

    async Task RecordQualitySafely(int lastFinishedRound)
    {
        try
        {
            await RecordQuality(lastFinishedRound);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Recording the status of {InstanceKey} in its quality index failed", Key);
        }
    }

    public async Task<int?> GrantExtraRound(string grantId, int maxExtraRounds)
    {
        var spec = RequireSpec();
        RequireId(grantId, nameof(grantId));
        if (S.LastGrantId == grantId)
        {
            // Repeated after a restart: make sure the grant reached the queue.
            if (S.Status == InstanceStatus.Queued) await EnqueueCurrentRound(spec);
            return S.CurrentRound;
        }
        if (!S.Exhausted || S.ExtraRoundsGranted >= maxExtraRounds || S.RoundLimit >= InstanceSpecRules.MaxRounds || S.QualificationItem) return null;
        S.ExtraRoundsGranted++;
        S.CurrentRound++;
        S.Status = InstanceStatus.Queued;
        S.FinishedAt = 0;
        S.LastGrantId = grantId;
        await state.WriteOrDeactivateAsync(this);
        await RecordQualitySafely(S.CurrentRound - 1);
        await EnqueueCurrentRound(spec);
        return S.CurrentRound;
    }

    Task NotifyExtraRoundFinished(int round) =>
        GrainFactory.GetGrain<IExtraRoundsGrain>(AnnotationKeys.ParseInstance(Key).CampaignId)
            .RoundFinished(InstanceId, round, S.Clicks.Count(c => c.Round == round));

    /// <summary>Whether the instance trains M_r: its reference was painted, or it was imported and picked by the ground-truth fraction.</summary>
    bool TrainsQualityModel(InstanceSpec spec) =>
        S.GroundTruth is not null && (S.ReferencePainted || IsTrainingInstance(InstanceId, spec.GroundTruthFraction));

    /// <summary>Whether the instance's finished rounds train M_r: a stable hash of its id falls below the campaign's fraction.</summary>
    public static bool IsTrainingInstance(string instanceId, double fraction) =>
        fraction > 0 && ShardMap.StableHash(instanceId + "#ground-truth") % 10000 < fraction * 10000;

    async Task RequestModel(InstanceSpec spec, int round)
    {
        if (spec.ModelName == ModelNames.External) return;
        var (campaignId, instanceId) = AnnotationKeys.ParseInstance(Key);
        await GrainFactory.GetGrain<IModelWorkGrain>(AnnotationKeys.CampaignShard(campaignId, ShardMap.ShardOf(instanceId, spec.ShardCount)))
            .Request(instanceId, round);
    }

    IImageGrain Image(InstanceSpec spec) =>
        GrainFactory.GetGrain<IImageGrain>(AnnotationKeys.Image(AnnotationKeys.ParseInstance(Key).CampaignId, spec.ImagePath));

    ModelQuestion Question(InstanceSpec spec, int round, IReadOnlyList<SubmittedClick>? tentative, InferenceLane lane)
    {
        var imageRoot = spec.ImageRoot;
        var committed = S.Clicks.Where(c => c.Round <= round && (tentative is null || c.Round < round)).ToArray();
        return new ModelQuestion(Key, spec.ModelName, Path.Combine(imageRoot, spec.ImagePath), spec.Box, committed, round, tentative, lane);
    }

    public async Task<InstanceView> SetModelMask(int round, MaskRle mask, double? modelScore = null)
    {
        var spec = RequireSpec();
        if (mask is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(mask), "Mask is missing.");
        if (modelScore is { } score && !double.IsFinite(score))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(modelScore), $"Model score {score} is not a number.");

        var existing = S.Masks.FirstOrDefault(m => m.Round == round);
        if (existing is not null)
        {
            if (existing.Mask != mask)
                throw new AnnotationRejectedException(RejectionCodes.MaskAlreadySet, nameof(round),
                    $"Instance {Key} already has a different mask for round {round}.");
            // A repeated call: make sure the queue has the instance (a previous call may have stopped before that).
            if (S.Status == InstanceStatus.Queued && S.CurrentRound == round + 1) await EnqueueCurrentRound(spec);
            if (round == 0) await EnqueuePaintings(spec);
            if (S.Status == InstanceStatus.Done && round > spec.Rounds && S.CurrentRound == round) await NotifyExtraRoundFinished(round);
            return View();
        }

        if (S.Status != InstanceStatus.WaitingForModel)
            throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "status",
                $"Instance {Key} is {S.Status}, not waiting for a model mask.");
        if (round != S.CurrentRound)
            throw new AnnotationRejectedException(RejectionCodes.WrongRound, nameof(round),
                $"Instance {Key} waits for the mask of round {S.CurrentRound}, not {round}.");
        if (MaskRleConversions.Problem(mask, spec.ImageHeight, spec.ImageWidth) is { } problem)
            throw new AnnotationRejectedException(RejectionCodes.InvalidMask, nameof(mask), problem);

        S.Masks.Add(new RoundMask(round, mask, modelScore));
        var last = round >= S.RoundLimit;
        if (last)
        {
            S.Status = InstanceStatus.Done;
            S.FinishedAt = DateTimeOffset.UtcNow.UtcTicks;
        }
        else
        {
            S.Status = InstanceStatus.Queued;
            S.CurrentRound = round + 1;
        }
        // Assessed before the instance is queued: a low predicted IoU puts it at the front of the next round's queue.
        if (round >= 1) await AssessRound(round);
        // Before the write: recorded once per round, so a mask set again after a failed write adds nothing twice.
        if (round >= 1) await RecordGain(round, mask);
        if (round >= 2) await RecordPredictedGain(round);
        await RecordReferenceScores([S.Masks[^1]]);
        await state.WriteOrDeactivateAsync(this);
        if (!last) await EnqueueCurrentRound(spec);
        else if (round > spec.Rounds) await NotifyExtraRoundFinished(round);
        if (round == 0) await EnqueuePaintings(spec);
        return View();
    }

    public async Task<InstanceView> MarkLeased(string annotatorId, int round, DateTimeOffset expiresAt)
    {
        RequireSpec();
        RequireId(annotatorId, nameof(annotatorId));
        if (S.Status is not (InstanceStatus.Queued or InstanceStatus.Leased))
            throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "status",
                $"Instance {Key} is {S.Status}, not waiting for an annotator.");
        if (round != S.CurrentRound)
            throw new AnnotationRejectedException(RejectionCodes.WrongRound, nameof(round),
                $"Instance {Key} is in round {S.CurrentRound}, not {round}.");
        if (S.Status == InstanceStatus.Leased && S.LeasedTo == annotatorId && S.LeaseExpiresAt == expiresAt)
            return View();
        // Their painting is the reference that judges this instance's annotators.
        if (S.Paintings.Any(p => p.PainterId == annotatorId))
            throw new AnnotationRejectedException(RejectionCodes.AlreadyPainted, "annotatorId",
                $"{annotatorId} painted instance {Key}; its corrections must come from someone else.");

        S.Status = InstanceStatus.Leased;
        S.LeasedTo = annotatorId;
        S.LeaseExpiresAt = expiresAt;
        await state.WriteOrDeactivateAsync(this);
        return View();
    }

    public async Task ClearLease(string annotatorId)
    {
        if (S.Status != InstanceStatus.Leased || S.LeasedTo != annotatorId) return;
        S.Status = InstanceStatus.Queued;
        S.LeasedTo = null;
        S.LeaseExpiresAt = null;
        await state.WriteOrDeactivateAsync(this);
    }

    public async Task<SubmissionResult> Submit(Submission submission)
    {
        if (submission is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(submission), "Submission is missing.");
        RequireId(submission.SubmissionId, "submissionId");
        if (S.Processed.TryGetValue(submission.SubmissionId, out var earlier))
        {
            // Repeated submission: same answer, no change; tell the queue (and the model) again in case the first call stopped before that.
            await CompleteInQueue(RequireSpec(), earlier);
            if (earlier.Outcome == SubmissionOutcome.NeedsModel && S.Status == InstanceStatus.WaitingForModel && S.CurrentRound == earlier.Round)
                await RequestModel(S.Spec!, earlier.Round);
            return earlier;
        }

        var spec = RequireSpec();
        var now = DateTimeOffset.UtcNow;
        AnswerRules.ValidateSubmission(Key, S, spec, submission, now);

        var clicks = submission.Clicks;
        // Judged before anything changes: it reads the mask the round started from.
        var quality = JudgeAnswer(submission);
        var outcome = submission.Skip ? SubmissionOutcome.Skipped
            : clicks.Count == 0 ? SubmissionOutcome.Accepted
            : SubmissionOutcome.NeedsModel;

        // Asked before the state changes, so that a failed call (a lost silo, a refused write) leaves the grain as it was:
        // a change kept in memory would make the retry look like a repeat and be acknowledged without ever being written.
        // If the write below fails instead, the model work finds the instance not waiting and drops the request.
        if (outcome == SubmissionOutcome.NeedsModel) await RequestModel(spec, submission.Round);

        foreach (var c in clicks)
            S.Clicks.Add(new ClickRecord(submission.Round, c.Label, c.X, c.Y, c.At ?? now));
        S.Answers.Add(new RoundAnswer(submission.Round, submission.AnnotatorId, submission.SubmissionId,
            clicks.Count, submission.Skip, submission.SecondsSpent, now, submission.SkipReason, submission.Trajectory));
        S.Status = outcome switch
        {
            SubmissionOutcome.Skipped => InstanceStatus.Skipped,
            SubmissionOutcome.Accepted => InstanceStatus.Done,
            _ => InstanceStatus.WaitingForModel,
        };
        if (outcome == SubmissionOutcome.Accepted) S.FinishedAt = now.UtcTicks;
        S.LeasedTo = null;
        S.LeaseExpiresAt = null;
        var result = new SubmissionResult(submission.SubmissionId, Key, submission.Round, outcome, clicks.Count,
            submission.SecondsSpent, S.Status, quality);
        S.Processed[submission.SubmissionId] = result;
        if (outcome == SubmissionOutcome.Accepted) await AssessRound(submission.Round);
        await state.WriteOrDeactivateAsync(this);
        await CompleteInQueue(spec, result);
        if (outcome == SubmissionOutcome.Skipped) await RecordQualitySafely(submission.Round - 1);
        if (outcome != SubmissionOutcome.NeedsModel && submission.Round > spec.Rounds) await NotifyExtraRoundFinished(submission.Round);
        return result;
    }

    public Task<InstanceView> GetState() => Task.FromResult(View());

    public Task<InstanceSpec> CheckPaintingTask(string painterId, int pass)
    {
        var spec = RequireSpec();
        PaintingRules.ValidateTask(Key, S, InstanceId, spec, painterId, pass);
        return Task.FromResult(spec);
    }

    public async Task<PaintingResult> SubmitPainting(PaintingSubmission submission)
    {
        if (submission is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(submission), "Submission is missing.");
        var spec = RequireSpec();
        RequireId(submission.SubmissionId, "submissionId");
        if (S.Paintings.FirstOrDefault(p => p.SubmissionId == submission.SubmissionId) is { } earlier)
        {
            if (earlier.PainterId != submission.PainterId)
                throw new AnnotationRejectedException(RejectionCodes.Invalid, "submissionId",
                    $"Submission id '{submission.SubmissionId}' was used by another painter of {Key}; send a new one.");
            // Repeated: same answer, no change; tell the queue again in case the first call stopped before that.
            await CompletePainting(spec, earlier);
            return PaintingResultOf(earlier);
        }
        PaintingRules.ValidateSubmission(Key, S, InstanceId, spec, submission);

        var painting = new ReferencePainting(submission.Pass, submission.PainterId, submission.SubmissionId, submission.Mask,
            submission.SecondsSpent, DateTimeOffset.UtcNow, submission.SkipReason);
        var becomesReference = submission.Mask is not null && S.GroundTruth is null;
        // Before anything changes, so that a failure leaves the grain as it was; a gold entry whose reference then failed
        // to be stored is passed over (PrepareGold).
        if (becomesReference) await store.AddGold(AnnotationKeys.ParseInstance(Key).CampaignId, InstanceId, painting.At.UtcTicks);
        S.Paintings.Add(painting);
        if (becomesReference && submission.Mask is { } mask)
        {
            S.GroundTruth = mask;
            S.ReferencePainted = true;
            // A reference that arrives after rounds have finished still trains M_r and scores the latest mask.
            if (LastFinishedRound() is { } finished) await AssessRound(finished);
            await RecordReferenceScores(S.Masks);
        }
        else if (submission.Mask is { } second && S.Paintings.FirstOrDefault(p => p.Mask is not null && p != painting) is { Mask: { } first })
            await RecordPaintingAgreement(first, second);
        await state.WriteOrDeactivateAsync(this);
        await CompletePainting(spec, painting);
        return PaintingResultOf(painting);
    }

    public Task<PaintingResult?> GetPaintingResult(string submissionId, string painterId) =>
        Task.FromResult(S.Paintings.FirstOrDefault(p => p.SubmissionId == submissionId && p.PainterId == painterId) is { } p ? PaintingResultOf(p) : null);

    public Task<ReferenceView> GetReference() =>
        Task.FromResult(new ReferenceView(S.GroundTruth, S.ReferencePainted, S.Paintings.ToArray(),
            S.Spec is { } spec ? PaintingRules.PaintingsWanted(InstanceId, spec) : 0));


    public async Task MarkQualificationItem()
    {
        RequireSpec();
        if (S.QualificationItem) return;
        S.QualificationItem = true;
        await state.WriteOrDeactivateAsync(this);
    }

    public Task<GoldTask?> PrepareGold(string annotatorId)
    {
        if (S.Spec is not { } spec || !S.ReferencePainted || S.GroundTruth is null || S.QualificationItem) return Task.FromResult<GoldTask?>(null);
        if (S.Masks.FirstOrDefault(m => m.Round == 0) is not { } shown) return Task.FromResult<GoldTask?>(null);
        var known = S.LeasedTo == annotatorId || S.Answers.Any(a => a.AnnotatorId == annotatorId) || S.Paintings.Any(p => p.PainterId == annotatorId);
        return Task.FromResult(known ? null : new GoldTask(spec, shown.Mask));
    }

    public async Task<GoldScore> ScoreGold(Submission submission)
    {
        if (submission is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(submission), "Submission is missing.");
        var spec = RequireSpec();
        if (S.GroundTruth is not { } truth || S.Masks.FirstOrDefault(m => m.Round == 0) is not { } shown)
            throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "status", $"Instance {Key} has no reference to score against.");
        AnswerRules.ValidateGoldSubmission(Key, spec, submission);
        if (submission.Skip) return new GoldScore(null, null);

        var reference = truth.ToKernel().ToMask();
        var shownMask = shown.Mask.ToKernel().ToMask();
        var j = AnswerJudgement.Of(reference, shownMask, submission.Clicks.Select(c => c.ToKernel()).ToArray());
        var quality = new AnswerQuality(j.JudgedClicks, j.WrongPolarityClicks, j.FirstClickJudged, j.FirstClickCorrects, j.Accepted, j.AcceptedBad);
        if (submission.Clicks.Count == 0 || await GoldMask(spec, submission.Clicks, InferenceLane.Soon) is not { } next) return new GoldScore(quality, null);
        var gain = MaskMetrics.IoU(next.Mask.ToKernel().ToMask(), reference) - MaskMetrics.IoU(shownMask, reference);
        return new GoldScore(quality, gain);
    }

    public async Task<PreviewResult> PreviewGold(IReadOnlyList<SubmittedClick> clicks)
    {
        var spec = RequireSpec();
        AnswerRules.ValidateGoldSubmission(Key, spec, new Submission("preview", "preview", 1, clicks, false, 0));
        var answer = await GoldMask(spec, clicks, InferenceLane.Interactive)
            ?? throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "modelName", $"Instance {Key} has no model in the silo to preview with.");
        return new PreviewResult(Key, 1, answer);
    }

    /// <summary>
    /// The model's round-1 mask for <paramref name="clicks"/> from the box alone, under a key of its own so that the
    /// instance's real rounds keep their cached state. Null for masks made outside the silo.
    /// </summary>
    async Task<ModelAnswer?> GoldMask(InstanceSpec spec, IReadOnlyList<SubmittedClick> clicks, InferenceLane lane)
    {
        if (spec.ModelName == ModelNames.External) return null;
        if (spec.ModelName == ModelNames.Box) return new ModelAnswer(BoxMask(spec), null, new ModelTiming(0, 0, 0, 0, 0, 0));
        return await Image(spec).Predict(new ModelQuestion(Key + "#gold", spec.ModelName, Path.Combine(spec.ImageRoot, spec.ImagePath), spec.Box,
            [], 1, clicks, lane));
    }

    PaintingResult PaintingResultOf(ReferencePainting painting) =>
        new(painting.SubmissionId, Key, painting.Pass, painting.Mask is null, S.Paintings.Count(p => p.Mask is not null), S.GroundTruth is not null);

    /// <summary>The last round whose mask is final (accepted or re-masked), or null before any; a skipped instance has none to score.</summary>
    int? LastFinishedRound()
    {
        var round = S.Status switch
        {
            InstanceStatus.Done => S.CurrentRound,
            InstanceStatus.Skipped => 0,
            _ => S.CurrentRound - 1,
        };
        return round >= 1 ? round : null;
    }

    /// <summary>Queues the painting passes the instance wants (idempotent: a queue takes an instance once).</summary>
    async Task EnqueuePaintings(InstanceSpec spec)
    {
        var (campaignId, instanceId) = AnnotationKeys.ParseInstance(Key);
        var shard = ShardMap.ShardOf(instanceId, spec.ShardCount);
        for (var pass = 1; pass <= PaintingRules.PaintingsWanted(instanceId, spec); pass++)
            if (!S.Paintings.Any(p => p.Pass == pass))
                await GrainFactory.GetGrain<IWorkQueueGrain>(AnnotationKeys.PaintQueue(campaignId, pass, shard)).Enqueue(instanceId, spec.Priority, null);
    }

    Task CompletePainting(InstanceSpec spec, ReferencePainting painting)
    {
        var (campaignId, instanceId) = AnnotationKeys.ParseInstance(Key);
        return GrainFactory.GetGrain<IWorkQueueGrain>(AnnotationKeys.PaintQueue(campaignId, painting.Pass, ShardMap.ShardOf(instanceId, spec.ShardCount)))
            .Complete(instanceId, painting.Mask is null ? RoundOutcome.Skipped : RoundOutcome.Accepted);
    }

    /// <summary>
    /// On an instance with a reference mask, the IoU with it that the corrective answer of <paramref name="round"/> added,
    /// for its annotator's quality figures. A failure is logged and does not cost the mask.
    /// </summary>
    async Task RecordGain(int round, MaskRle mask)
    {
        if (S.GroundTruth is not { } truth) return;
        if (S.Answers.LastOrDefault(a => a.Round == round) is not { Skipped: false, ClickCount: > 0 } answer) return;
        if (S.Masks.FirstOrDefault(m => m.Round == round - 1) is not { } before) return;
        try
        {
            var reference = truth.ToKernel().ToMask();
            var gain = MaskMetrics.IoU(mask.ToKernel().ToMask(), reference) - MaskMetrics.IoU(before.Mask.ToKernel().ToMask(), reference);
            await store.RecordGain(AnnotationKeys.ParseInstance(Key).CampaignId, InstanceId, round, answer.AnnotatorId, gain, answer.ClickCount);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Recording the IoU gain of round {Round} of {InstanceKey} failed; the round stands without it", round, Key);
        }
    }

    /// <summary>The boundary F of the quality report counts boundary pixels within this distance as matched.</summary>
    public const double ReportBoundaryTolerancePx = 5;

    /// <summary>
    /// The IoU gain M_r predicts for corrective round <paramref name="round"/> (its prediction after the round minus after the
    /// round before, each by the model of its time), for its annotator's estimate from work without a reference. Nothing
    /// without both predictions; a failure is logged and does not cost the mask.
    /// </summary>
    async Task RecordPredictedGain(int round)
    {
        if (S.Answers.LastOrDefault(a => a.Round == round) is not { Skipped: false, ClickCount: > 0 } answer) return;
        if (!S.PredictedIoU.TryGetValue(round, out var after) || !S.PredictedIoU.TryGetValue(round - 1, out var before)) return;
        try
        {
            await store.RecordPredictedGain(AnnotationKeys.ParseInstance(Key).CampaignId, InstanceId, round, answer.AnnotatorId, after - before, answer.ClickCount);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Recording the predicted IoU gain of round {Round} of {InstanceKey} failed; the round stands without it", round, Key);
        }
    }

    /// <summary>The mask of <paramref name="round"/> scored against the reference, a row of the quality report.</summary>
    public static ReferenceScore ReferenceScoreOf(string instanceId, InstanceSpec spec, int round, MaskRle mask, MaskRle reference)
    {
        var m = mask.ToKernel().ToMask();
        var r = reference.ToKernel().ToMask();
        return new ReferenceScore(instanceId, spec.ClassName, round, MaskMetrics.IoU(m, r), MaskMetrics.BoundaryFMeasure(m, r, ReportBoundaryTolerancePx));
    }

    /// <summary>Scores round masks against the reference for the quality report. A failure is logged and costs nothing else.</summary>
    async Task RecordReferenceScores(IReadOnlyList<RoundMask> masks)
    {
        if (S.GroundTruth is not { } truth || S.Spec is not { } spec || masks.Count == 0) return;
        try
        {
            var scores = masks.Select(m => ReferenceScoreOf(InstanceId, spec, m.Round, m.Mask, truth)).ToArray();
            await store.RecordReferenceScores(AnnotationKeys.ParseInstance(Key).CampaignId, scores);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Scoring the masks of {InstanceKey} against its reference failed; the quality report goes without them", Key);
        }
    }

    /// <summary>The two paintings of a double-painted instance against each other: the human agreement of the quality report.</summary>
    async Task RecordPaintingAgreement(MaskRle first, MaskRle second)
    {
        try
        {
            var a = first.ToKernel().ToMask();
            var b = second.ToKernel().ToMask();
            await store.RecordPaintingAgreement(AnnotationKeys.ParseInstance(Key).CampaignId, InstanceId, RequireSpec().ClassName, MaskMetrics.IoU(a, b),
                MaskMetrics.BoundaryFMeasure(a, b, ReportBoundaryTolerancePx));
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Recording the agreement of the two paintings of {InstanceKey} failed; the quality report goes without it", Key);
        }
    }

    /// <summary>
    /// On an instance with a reference mask, how the answer did against it (on the mask the round started from). Null
    /// without a reference, for a skip, or when the judging fails: quality figures must never cost an answer.
    /// </summary>
    AnswerQuality? JudgeAnswer(Submission submission)
    {
        if (S.GroundTruth is not { } truth || submission.Skip) return null;
        if (S.Masks.LastOrDefault(m => m.Round == submission.Round - 1) is not { } shown) return null;
        try
        {
            var j = AnswerJudgement.Of(truth.ToKernel().ToMask(), shown.Mask.ToKernel().ToMask(),
                submission.Clicks.Select(c => c.ToKernel()).ToArray());
            return new AnswerQuality(j.JudgedClicks, j.WrongPolarityClicks, j.FirstClickJudged, j.FirstClickCorrects, j.Accepted, j.AcceptedBad);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Judging answer {SubmissionId} of {InstanceKey} against its reference failed; recorded without quality figures",
                submission.SubmissionId, Key);
            return null;
        }
    }

    async Task EnqueueCurrentRound(InstanceSpec spec)
    {
        var threshold = spec.ReprioritizeBelowIoU;
        double? front = threshold > 0 && S.PredictedIoU.TryGetValue(S.CurrentRound - 1, out var predicted) && predicted < threshold ? predicted : null;
        await Queue(spec, S.CurrentRound).Enqueue(InstanceId, spec.Priority, front);
    }

    Task CompleteInQueue(InstanceSpec spec, SubmissionResult result) =>
        Queue(spec, result.Round).Complete(InstanceId, result.Outcome switch
        {
            SubmissionOutcome.Skipped => RoundOutcome.Skipped,
            SubmissionOutcome.Accepted => RoundOutcome.Accepted,
            _ => RoundOutcome.Corrected,
        });

    string InstanceId => AnnotationKeys.ParseInstance(Key).InstanceId;

    IWorkQueueGrain Queue(InstanceSpec spec, int round)
    {
        var (campaignId, instanceId) = AnnotationKeys.ParseInstance(Key);
        return GrainFactory.GetGrain<IWorkQueueGrain>(
            AnnotationKeys.WorkQueue(campaignId, round, ShardMap.ShardOf(instanceId, spec.ShardCount)));
    }

    InstanceSpec RequireSpec() => S.Spec
        ?? throw new AnnotationRejectedException(RejectionCodes.NotInitialized, "instanceId", $"Instance {Key} has not been initialized.");

    InstanceView View() => S.View(Key, DateTimeOffset.UtcNow);

    static void RequireId(string? id, string field)
    {
        if (!AnnotationKeys.IsValidId(id))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, field, $"'{id}' is not a valid id.");
    }
}
