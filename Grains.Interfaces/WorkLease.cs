namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("WorkLease")]
public sealed record WorkLease(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] string AnnotatorId,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] string? LikelyNextInstanceId = null);
