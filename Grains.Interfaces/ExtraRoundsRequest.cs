namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("ExtraRoundsRequest")]
public sealed record ExtraRoundsRequest(
    [property: Id(0)] int ClickBudget,
    [property: Id(1)] ExtraRoundStrategy Strategy,
    [property: Id(2)] int Seed = 1,
    [property: Id(3)] int MaxExtraRoundsPerInstance = 1);
