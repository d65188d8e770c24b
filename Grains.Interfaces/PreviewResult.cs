namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("PreviewResult")]
public sealed record PreviewResult(
    [property: Id(0)] string InstanceKey,
    [property: Id(1)] int Round,
    [property: Id(2)] ModelAnswer Answer);
