namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("RoundProgress")]
public sealed record RoundProgress(
    [property: Id(0)] int Round,
    [property: Id(1)] int Waiting,
    [property: Id(2)] int Leased,
    [property: Id(3)] int Corrected,
    [property: Id(4)] int Accepted,
    [property: Id(5)] int Skipped,
    [property: Id(6)] long ExpiredLeases);
