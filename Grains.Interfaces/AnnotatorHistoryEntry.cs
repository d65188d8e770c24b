namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("AnnotatorHistoryEntry")]
public sealed record AnnotatorHistoryEntry(
    [property: Id(0)] string SubmissionId,
    [property: Id(1)] string InstanceKey,
    [property: Id(2)] int Round,
    [property: Id(3)] int Clicks,
    [property: Id(4)] double SecondsSpent,
    [property: Id(5)] bool Skipped,
    [property: Id(6)] DateTimeOffset At);
