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
    /// <summary>Runs the model for the mask of <paramref name="round"/> if the instance waits for it, and records it.</summary>
    Task<ModelMaskOutcome> ComputeModelMask(int round);

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

    /// <summary>
    /// Checks that painting pass <paramref name="pass"/> is still wanted and that <paramref name="painterId"/> has not painted
    /// the instance, for a painting lease; returns the spec. Throws <see cref="RejectionCodes.WrongStatus"/> when the pass is
    /// not (or no longer) wanted and <see cref="RejectionCodes.AlreadyPainted"/> when the painter painted it before.
    /// </summary>
    Task<InstanceSpec> CheckPaintingTask(string painterId, int pass);

    /// <summary>
    /// Records a painting answer of the painter holding the lease (the annotator grain checks the lease). The first painted
    /// mask becomes the reference mask when none was imported; a wanted second pass is then queued. A submission id seen
    /// before returns its first result and changes nothing. Invalid answers throw and change nothing.
    /// </summary>
    Task<PaintingResult> SubmitPainting(PaintingSubmission submission);

    /// <summary>The result of an earlier painting answer of <paramref name="painterId"/>, or null when they sent no such submission id.</summary>
    Task<PaintingResult?> GetPaintingResult(string submissionId, string painterId);

    Task<ReferenceView> GetReference();

    /// <summary>Marks the instance as an item of a qualification test: it is never a gold task nor given extra rounds again.</summary>
    Task MarkQualificationItem();

    /// <summary>
    /// A gold task for <paramref name="annotatorId"/>: the instance as its round 1 showed it. Null when it has no painted
    /// reference or round-0 mask, or when the annotator answered, painted or holds it: they would know it.
    /// </summary>
    Task<GoldTask?> PrepareGold(string annotatorId);

    /// <summary>Scores an answer to a gold task against the reference; nothing of the instance changes.</summary>
    Task<GoldScore> ScoreGold(Submission submission);

    /// <summary>The mask the model gives for <paramref name="clicks"/> on the gold task (round 1 from the box); nothing is stored.</summary>
    Task<PreviewResult> PreviewGold(IReadOnlyList<SubmittedClick> clicks);
}
