namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("RoundMask")]
public sealed record RoundMask(
    [property: Id(0)] int Round,
    [property: Id(1)] MaskRle Mask,
    [property: Id(2)] double? ModelScore = null);
