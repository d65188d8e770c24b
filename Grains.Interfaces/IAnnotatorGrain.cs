namespace Grains.Interfaces;

/// <summary>
/// An annotator (key: annotator id): whether a manager qualified them, the one lease they hold,
/// their answer history and statistics. Work is handed out and answers are taken through this grain.
/// </summary>
public interface IAnnotatorGrain : IGrainWithStringKey
{
    /// <summary>Qualifies or suspends the annotator; suspending gives their current lease back to its queue.</summary>
    Task SetQualified(bool qualified);

    Task<bool> IsQualified();

    /// <summary>The lease the annotator holds, or null when none is valid now.</summary>
    Task<CurrentLease?> GetLease();

    /// <summary>
    /// The lease the annotator holds (if still valid), else a new lease from the campaign's queues (rounds in
    /// order, shards starting at a place derived from the annotator id); null when there is nothing to do.
    /// Rejected when the annotator is not qualified or the campaign is not Running.
    /// </summary>
    Task<WorkAssignment?> RequestWork(string campaignId);

    /// <summary>Answers the leased instance. A submission id seen before returns its first result.</summary>
    Task<SubmissionResult> Submit(string instanceKey, Submission submission);

    /// <summary>Grants or withdraws the painting qualification; withdrawing gives a held painting lease back to its queue.</summary>
    Task SetPaintingQualified(bool qualified);

    Task<bool> IsPaintingQualified();

    /// <summary>
    /// The painting task the painter holds (if still valid), else a new lease from the campaign's painting queues (first
    /// paintings before second ones); null when there is nothing to paint. Rejected when the annotator lacks the painting
    /// qualification, holds an annotation lease, or the campaign is not Running.
    /// </summary>
    Task<PaintingAssignment?> RequestPainting(string campaignId);

    /// <summary>Answers the leased painting task. A submission id seen before returns its first result.</summary>
    Task<PaintingResult> SubmitPainting(string instanceKey, PaintingSubmission submission);

    /// <summary>The mask the model would give for <paramref name="clicks"/> on the task the annotator holds; nothing is stored.</summary>
    Task<PreviewResult> Preview(string instanceKey, int round, IReadOnlyList<SubmittedClick> clicks);

    /// <summary>Gives the current lease back. False when there was none.</summary>
    Task<bool> ReleaseWork();

    Task<AnnotatorProfile> GetProfile();
}
