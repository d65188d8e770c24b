namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("CurrentLease")]
public sealed record CurrentLease(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] string InstanceKey,
    [property: Id(2)] int Round,
    [property: Id(3)] DateTimeOffset ExpiresAt);
