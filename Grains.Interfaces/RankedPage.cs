namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("RankedPage")]
public sealed record RankedPage(
    [property: Id(0)] IReadOnlyList<RankedInstance> Items,
    [property: Id(1)] int Total,
    [property: Id(2)] int ModelVersion);
