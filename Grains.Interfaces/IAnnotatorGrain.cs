namespace Grains.Interfaces;

/// <summary>
/// An annotator (key: annotator id): whether a manager qualified them, the one lease they hold,
/// their answer history and statistics. Work is handed out and answers are taken through this grain.
/// </summary>
public interface IAnnotatorGrain : IGrainWithStringKey
{
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

    /// <summary>Gives the current lease back. False when there was none.</summary>
    Task<bool> ReleaseWork();

    Task<AnnotatorProfile> GetProfile();
}

[GenerateSerializer, Immutable, Alias("WorkAssignment")]
public sealed record WorkAssignment(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] string InstanceKey,
    [property: Id(2)] int Round,
    [property: Id(3)] DateTimeOffset LeaseExpiresAt,
    [property: Id(4)] InstanceSpec Spec,
    [property: Id(5)] MaskRle? CurrentMask,
    [property: Id(6)] IReadOnlyList<ClickRecord> EarlierClicks);

[GenerateSerializer, Immutable, Alias("AnnotatorHistoryEntry")]
public sealed record AnnotatorHistoryEntry(
    [property: Id(0)] string SubmissionId,
    [property: Id(1)] string InstanceKey,
    [property: Id(2)] int Round,
    [property: Id(3)] int Clicks,
    [property: Id(4)] double SecondsSpent,
    [property: Id(5)] bool Skipped,
    [property: Id(6)] DateTimeOffset At);

/// <summary>
/// <see cref="Instances"/> counts distinct instances answered without a skip; clicks and seconds per instance
/// are over those answers; skips are counted separately.
/// </summary>
[GenerateSerializer, Immutable, Alias("AnnotatorStatistics")]
public sealed record AnnotatorStatistics(
    [property: Id(0)] int Instances,
    [property: Id(1)] int Answers,
    [property: Id(2)] int Clicks,
    [property: Id(3)] double ClicksPerInstance,
    [property: Id(4)] double SecondsPerInstance,
    [property: Id(5)] int Skips);

[GenerateSerializer, Immutable, Alias("CurrentLease")]
public sealed record CurrentLease(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] string InstanceKey,
    [property: Id(2)] int Round,
    [property: Id(3)] DateTimeOffset ExpiresAt);

[GenerateSerializer, Immutable, Alias("AnnotatorProfile")]
public sealed record AnnotatorProfile(
    [property: Id(0)] string AnnotatorId,
    [property: Id(1)] bool Qualified,
    [property: Id(2)] CurrentLease? Lease,
    [property: Id(3)] IReadOnlyList<AnnotatorHistoryEntry> History,
    [property: Id(4)] AnnotatorStatistics Statistics);
