namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("ModelAnswer")]
public sealed record ModelAnswer(
    [property: Id(0)] MaskRle Mask,
    [property: Id(1)] double? ModelScore,
    [property: Id(2)] ModelTiming Timing);
