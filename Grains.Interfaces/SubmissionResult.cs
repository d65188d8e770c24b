namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("SubmissionResult")]
public sealed record SubmissionResult(
    [property: Id(0)] string SubmissionId,
    [property: Id(1)] string InstanceKey,
    [property: Id(2)] int Round,
    [property: Id(3)] SubmissionOutcome Outcome,
    [property: Id(4)] int ClickCount,
    [property: Id(5)] double SecondsSpent,
    [property: Id(6)] InstanceStatus StatusAfter,
    [property: Id(7)] AnswerQuality? Quality = null);
