namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("WorkAssignment")]
public sealed record WorkAssignment(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] string InstanceKey,
    [property: Id(2)] int Round,
    [property: Id(3)] DateTimeOffset LeaseExpiresAt,
    [property: Id(4)] InstanceSpec Spec,
    [property: Id(5)] MaskRle? CurrentMask,
    [property: Id(6)] IReadOnlyList<ClickRecord> EarlierClicks);
