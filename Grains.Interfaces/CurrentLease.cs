namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("CurrentLease")]
public sealed record CurrentLease(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] string InstanceKey,
    [property: Id(2)] int Round,
    [property: Id(3)] DateTimeOffset ExpiresAt,
    [property: Id(4)] int PaintingPass = 0,
    [property: Id(5)] bool Gold = false)
{
    /// <summary>A painting task (pass 1 or 2) rather than an annotation round.</summary>
    public bool IsPainting => PaintingPass > 0;
}
