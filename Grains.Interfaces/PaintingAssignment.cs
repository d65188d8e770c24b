namespace Grains.Interfaces;

/// <summary>A painting task leased to a painter: the object to paint from scratch (no model mask, no clicks).</summary>
[GenerateSerializer, Immutable, Alias("PaintingAssignment")]
public sealed record PaintingAssignment(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] string InstanceKey,
    [property: Id(2)] int Pass,
    [property: Id(3)] DateTimeOffset LeaseExpiresAt,
    [property: Id(4)] InstanceSpec Spec);
