namespace Grains.Interfaces;

/// <summary>How a finished qualification attempt went; <see cref="RetryAt"/> is when a failed one may be tried again.</summary>
[GenerateSerializer, Immutable, Alias("QualificationResult")]
public sealed record QualificationResult(
    [property: Id(0)] bool Passed,
    [property: Id(1)] double MeanIoU,
    [property: Id(2)] double? RightPolarityShare,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] DateTimeOffset? RetryAt);
