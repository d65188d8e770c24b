namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("AnnotatorProfile")]
public sealed record AnnotatorProfile(
    [property: Id(0)] string AnnotatorId,
    [property: Id(1)] bool Qualified,
    [property: Id(2)] CurrentLease? Lease,
    [property: Id(3)] IReadOnlyList<AnnotatorHistoryEntry> History,
    [property: Id(4)] AnnotatorStatistics Statistics,
    [property: Id(5)] bool PaintingQualified = false);
