namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("ImportResult")]
public sealed record ImportResult(
    [property: Id(0)] int Created,
    [property: Id(1)] int AlreadyPresent,
    [property: Id(2)] IReadOnlyList<ImportRejection> Rejected);
