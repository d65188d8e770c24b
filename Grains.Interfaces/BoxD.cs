namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("BoxD")]
public sealed record BoxD(
    [property: Id(0)] double X0,
    [property: Id(1)] double Y0,
    [property: Id(2)] double X1,
    [property: Id(3)] double Y1);
