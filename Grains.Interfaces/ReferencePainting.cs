namespace Grains.Interfaces;

/// <summary>
/// One painter's answer to a painting task of pass <paramref name="Pass"/>: a mask painted from scratch, or a skip
/// (<paramref name="Mask"/> null, with <paramref name="SkipReason"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("ReferencePainting")]
public sealed record ReferencePainting(
    [property: Id(0)] int Pass,
    [property: Id(1)] string PainterId,
    [property: Id(2)] string SubmissionId,
    [property: Id(3)] MaskRle? Mask,
    [property: Id(4)] double SecondsSpent,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] string? SkipReason = null);
