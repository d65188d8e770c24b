namespace Grains.Interfaces;

/// <summary>What a painting answer did: how many masks the instance now has painted, and whether it has a reference mask.</summary>
[GenerateSerializer, Immutable, Alias("PaintingResult")]
public sealed record PaintingResult(
    [property: Id(0)] string SubmissionId,
    [property: Id(1)] string InstanceKey,
    [property: Id(2)] int Pass,
    [property: Id(3)] bool Skipped,
    [property: Id(4)] int Paintings,
    [property: Id(5)] bool HasReference);
