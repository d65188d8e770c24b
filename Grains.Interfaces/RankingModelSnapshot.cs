namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("RankingModelSnapshot")]
public sealed record RankingModelSnapshot(
    [property: Id(0)] int Version,
    [property: Id(1)] byte[] Model);
