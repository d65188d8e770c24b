namespace Grains.Interfaces;

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
