namespace Grains.Interfaces;

/// <summary>A painter's answer to a painting task: the painted mask, or a skip with its reason (then no mask).</summary>
[GenerateSerializer, Immutable, Alias("PaintingSubmission")]
public sealed record PaintingSubmission(
    [property: Id(0)] string SubmissionId,
    [property: Id(1)] string PainterId,
    [property: Id(2)] int Pass,
    [property: Id(3)] MaskRle? Mask,
    [property: Id(4)] double SecondsSpent,
    [property: Id(5)] string? SkipReason = null);
