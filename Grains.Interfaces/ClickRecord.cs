namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("ClickRecord")]
public sealed record ClickRecord(
    [property: Id(0)] int Round,
    [property: Id(1)] ClickPolarity Label,
    [property: Id(2)] double X,
    [property: Id(3)] double Y,
    [property: Id(4)] DateTimeOffset At);
