namespace Grains.Interfaces;

/// <summary>
/// A manager's qualification test of one kind: instances with a reference mask (<see cref="InstanceKeys"/>, from any
/// campaign), answered in order; passed when the final masks' mean IoU with the references reaches
/// <see cref="MinMeanIoU"/> and, for corrective clicks, the share of judged clicks with the right polarity reaches
/// <see cref="MinRightPolarityShare"/>. A failed attempt can be retried after <see cref="RetryAfter"/>.
/// <see cref="Version"/> changes with every new test, so that attempts at an older one start over.
/// </summary>
[GenerateSerializer, Immutable, Alias("QualificationTest")]
public sealed record QualificationTest(
    [property: Id(0)] string Kind,
    [property: Id(1)] IReadOnlyList<string> InstanceKeys,
    [property: Id(2)] double MinMeanIoU,
    [property: Id(3)] double? MinRightPolarityShare,
    [property: Id(4)] TimeSpan RetryAfter,
    [property: Id(5)] int Version = 0)
{
    public const int MaxItems = 50;

    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(30);
}
