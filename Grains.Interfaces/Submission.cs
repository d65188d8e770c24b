namespace Grains.Interfaces;

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
