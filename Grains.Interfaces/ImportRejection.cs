namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("ImportRejection")]
public sealed record ImportRejection(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] string Code,
    [property: Id(2)] string Field,
    [property: Id(3)] string Message);
