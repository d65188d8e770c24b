namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("ExtraCandidate")]
public sealed record ExtraCandidate(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] double SortKey);
