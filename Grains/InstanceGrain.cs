using Grains.Interfaces;

namespace Grains;

[GenerateSerializer, Alias("InstanceState")]
public sealed class InstanceState
{
    [Id(0)] public InstanceSpec? Spec { get; set; }

    [Id(1)] public InstanceStatus Status { get; set; }

    /// <summary>While WaitingForModel: the round whose mask is awaited; otherwise the annotation round.</summary>
    [Id(2)] public int CurrentRound { get; set; }

    [Id(3)] public string? LeasedTo { get; set; }

    [Id(4)] public DateTimeOffset? LeaseExpiresAt { get; set; }

    [Id(5)] public List<RoundMask> Masks { get; set; } = [];

    [Id(6)] public List<ClickRecord> Clicks { get; set; } = [];

    [Id(7)] public List<RoundAnswer> Answers { get; set; } = [];

    /// <summary>Every accepted submission id with the result it was given, for replies to repeated submissions.</summary>
    [Id(8)] public Dictionary<string, SubmissionResult> Processed { get; set; } = new(StringComparer.Ordinal);
}

public sealed class InstanceGrain(
    [PersistentState("instance", StorageNames.Annotation)] IPersistentState<InstanceState> state)
    : Grain, IInstanceGrain
{
    public const int MaxRounds = 20;
    public const int MaxClicksLimit = 100;
    const double MaxSecondsPerAnswer = 24 * 3600;

    InstanceState S => state.State;
    string Key => this.GetPrimaryKeyString();

    public async Task<bool> Initialize(InstanceSpec spec)
    {
        ValidateSpec(spec);
        if (S.Spec is not null)
        {
            if (S.Spec == spec) return false;
            throw new AnnotationRejectedException(RejectionCodes.AlreadyInitialized, "spec",
                $"Instance {Key} already exists with a different spec.");
        }
        S.Spec = spec;
        S.Status = InstanceStatus.WaitingForModel;
        S.CurrentRound = 0;
        await state.WriteStateAsync();
        return true;
    }

    public async Task<InstanceView> SetModelMask(int round, MaskRle mask)
    {
        var spec = RequireSpec();
        if (mask is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(mask), "Mask is missing.");

        var existing = S.Masks.FirstOrDefault(m => m.Round == round);
        if (existing is not null)
        {
            if (existing.Mask != mask)
                throw new AnnotationRejectedException(RejectionCodes.MaskAlreadySet, nameof(round),
                    $"Instance {Key} already has a different mask for round {round}.");
            // A repeated call: make sure the queue has the instance (a previous call may have stopped before that).
            if (S.Status == InstanceStatus.Queued && S.CurrentRound == round + 1) await EnqueueCurrentRound(spec);
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

        S.Masks.Add(new RoundMask(round, mask));
        if (round >= spec.Rounds)
        {
            S.Status = InstanceStatus.Done;
            await state.WriteStateAsync();
        }
        else
        {
            S.Status = InstanceStatus.Queued;
            S.CurrentRound = round + 1;
            await state.WriteStateAsync();
            await EnqueueCurrentRound(spec);
        }
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

        S.Status = InstanceStatus.Leased;
        S.LeasedTo = annotatorId;
        S.LeaseExpiresAt = expiresAt;
        await state.WriteStateAsync();
        return View();
    }

    public async Task ClearLease(string annotatorId)
    {
        if (S.Status != InstanceStatus.Leased || S.LeasedTo != annotatorId) return;
        S.Status = InstanceStatus.Queued;
        S.LeasedTo = null;
        S.LeaseExpiresAt = null;
        await state.WriteStateAsync();
    }

    public async Task<SubmissionResult> Submit(Submission submission)
    {
        if (submission is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(submission), "Submission is missing.");
        RequireId(submission.SubmissionId, "submissionId");
        if (S.Processed.TryGetValue(submission.SubmissionId, out var earlier))
        {
            // Repeated submission: same answer, no change; tell the queue again in case the first call stopped before that.
            await CompleteInQueue(RequireSpec(), earlier);
            return earlier;
        }

        var spec = RequireSpec();
        Validate(submission, spec);

        var now = DateTimeOffset.UtcNow;
        var clicks = submission.Clicks;
        var outcome = submission.Skip ? SubmissionOutcome.Skipped
            : clicks.Count == 0 ? SubmissionOutcome.Accepted
            : SubmissionOutcome.NeedsModel;

        foreach (var c in clicks)
            S.Clicks.Add(new ClickRecord(submission.Round, c.Label, c.X, c.Y, c.At ?? now));
        S.Answers.Add(new RoundAnswer(submission.Round, submission.AnnotatorId, submission.SubmissionId,
            clicks.Count, submission.Skip, submission.SecondsSpent, now));
        S.Status = outcome switch
        {
            SubmissionOutcome.Skipped => InstanceStatus.Skipped,
            SubmissionOutcome.Accepted => InstanceStatus.Done,
            _ => InstanceStatus.WaitingForModel,
        };
        S.LeasedTo = null;
        S.LeaseExpiresAt = null;
        var result = new SubmissionResult(submission.SubmissionId, Key, submission.Round, outcome, clicks.Count,
            submission.SecondsSpent, S.Status);
        S.Processed[submission.SubmissionId] = result;

        await state.WriteStateAsync();
        await CompleteInQueue(spec, result);
        return result;
    }

    public Task<InstanceView> GetState() => Task.FromResult(View());

    void Validate(Submission submission, InstanceSpec spec)
    {
        RequireId(submission.AnnotatorId, "annotatorId");
        if (S.Status is InstanceStatus.Done or InstanceStatus.Skipped)
            throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "status", $"Instance {Key} is already {S.Status}.");
        if (submission.Round != S.CurrentRound)
            throw new AnnotationRejectedException(RejectionCodes.WrongRound, "round",
                $"Instance {Key} is in round {S.CurrentRound}, not {submission.Round}.");
        if (S.Status == InstanceStatus.WaitingForModel)
            throw new AnnotationRejectedException(RejectionCodes.WrongStatus, "status",
                $"Instance {Key} is waiting for the model's mask of round {S.CurrentRound}.");
        if (!HoldsLease(submission.AnnotatorId, DateTimeOffset.UtcNow))
            throw new AnnotationRejectedException(RejectionCodes.LeaseNotHeld, "annotatorId",
                $"Annotator {submission.AnnotatorId} does not hold the lease of instance {Key}.");
        if (submission.Clicks is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "clicks", "Clicks are missing (send an empty list for none).");
        if (submission.Clicks.Count > spec.MaxClicksPerRound)
            throw new AnnotationRejectedException(RejectionCodes.TooManyClicks, "clicks",
                $"{submission.Clicks.Count} clicks; at most {spec.MaxClicksPerRound} per round.");
        if (submission.Skip && submission.Clicks.Count > 0)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "clicks", "A skip carries no clicks.");
        if (!double.IsFinite(submission.SecondsSpent) || submission.SecondsSpent < 0 || submission.SecondsSpent > MaxSecondsPerAnswer)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "secondsSpent",
                $"Seconds spent {submission.SecondsSpent} is outside [0, {MaxSecondsPerAnswer}].");
        for (var i = 0; i < submission.Clicks.Count; i++)
        {
            var c = submission.Clicks[i];
            if (c is null)
                throw new AnnotationRejectedException(RejectionCodes.Invalid, $"clicks[{i}]", "Click is missing.");
            if (!Enum.IsDefined(c.Label))
                throw new AnnotationRejectedException(RejectionCodes.Invalid, $"clicks[{i}].label", $"Unknown click label {c.Label}.");
            if (!(c.X >= 0 && c.X < spec.ImageWidth && c.Y >= 0 && c.Y < spec.ImageHeight))
                throw new AnnotationRejectedException(RejectionCodes.ClickOutsideImage, $"clicks[{i}]",
                    $"Click ({c.X}, {c.Y}) is outside the {spec.ImageWidth}x{spec.ImageHeight} image.");
        }
    }

    bool HoldsLease(string annotatorId, DateTimeOffset now) =>
        S.Status == InstanceStatus.Leased && S.LeasedTo == annotatorId && S.LeaseExpiresAt > now;

    Task EnqueueCurrentRound(InstanceSpec spec) => Queue(spec, S.CurrentRound).Enqueue(InstanceId, spec.Priority);

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
        ?? throw new AnnotationRejectedException(RejectionCodes.NotInitialized, "instance", $"Instance {Key} has not been initialized.");

    InstanceView View()
    {
        var now = DateTimeOffset.UtcNow;
        var lapsed = S.Status == InstanceStatus.Leased && !(S.LeaseExpiresAt > now);
        return new InstanceView(
            Key, S.Spec,
            lapsed ? InstanceStatus.Queued : S.Status,
            S.CurrentRound,
            lapsed ? null : S.LeasedTo,
            lapsed ? null : S.LeaseExpiresAt,
            S.Masks.ToArray(), S.Clicks.ToArray(), S.Answers.ToArray(), S.Processed.Count);
    }

    void ValidateSpec(InstanceSpec spec)
    {
        if (spec is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(spec), "Spec is missing.");
        var key = Key;
        var slash = key.IndexOf('/');
        if (slash <= 0 || !AnnotationKeys.IsValidId(key[..slash]) || !AnnotationKeys.IsValidId(key[(slash + 1)..]))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "key", $"'{key}' is not of the form campaignId/instanceId.");
        if (string.IsNullOrWhiteSpace(spec.ImagePath) || Path.IsPathRooted(spec.ImagePath) || spec.ImagePath.Contains('\\')
            || spec.ImagePath.Split('/').Any(p => p is "" or "." or ".."))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "imagePath",
                $"Image path '{spec.ImagePath}' must be relative, with '/' separators and no '.' or '..' parts.");
        if (spec.ImageWidth <= 0 || spec.ImageHeight <= 0 || (long)spec.ImageWidth * spec.ImageHeight > int.MaxValue)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "imageSize", $"Image size {spec.ImageWidth}x{spec.ImageHeight} is invalid.");
        var b = spec.Box;
        if (b is null || !(double.IsFinite(b.X0) && double.IsFinite(b.Y0) && double.IsFinite(b.X1) && double.IsFinite(b.Y1))
            || !(b.X0 < b.X1 && b.Y0 < b.Y1) || b.X0 < 0 || b.Y0 < 0 || b.X1 > spec.ImageWidth || b.Y1 > spec.ImageHeight)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "box",
                $"Box {b} must have x0 < x1, y0 < y1 and lie inside the {spec.ImageWidth}x{spec.ImageHeight} image.");
        if (string.IsNullOrWhiteSpace(spec.ClassName))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "className", "Class name is empty.");
        if (spec.Rounds is < 1 or > MaxRounds)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "rounds", $"Rounds {spec.Rounds} is outside [1, {MaxRounds}].");
        if (spec.MaxClicksPerRound is < 1 or > MaxClicksLimit)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "maxClicksPerRound",
                $"Max clicks per round {spec.MaxClicksPerRound} is outside [1, {MaxClicksLimit}].");
        if (spec.ShardCount is < 1 or > ShardMap.MaxShards)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "shardCount", $"Shard count {spec.ShardCount} is outside [1, {ShardMap.MaxShards}].");
    }

    static void RequireId(string? id, string field)
    {
        if (!AnnotationKeys.IsValidId(id))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, field, $"'{id}' is not a valid id.");
    }
}
