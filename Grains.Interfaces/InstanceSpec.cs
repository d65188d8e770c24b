namespace Grains.Interfaces;

/// <summary>
/// What an instance needs to exist. <paramref name="ImagePath"/> is relative to the campaign's image root;
/// clicks must fall inside <paramref name="ImageWidth"/> x <paramref name="ImageHeight"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("InstanceSpec")]
public sealed record InstanceSpec(
    [property: Id(0)] string ImagePath,
    [property: Id(1)] int ImageWidth,
    [property: Id(2)] int ImageHeight,
    [property: Id(3)] BoxD Box,
    [property: Id(4)] string ClassName,
    [property: Id(5)] int Rounds,
    [property: Id(6)] int MaxClicksPerRound,
    [property: Id(7)] int ShardCount,
    [property: Id(8)] int Priority = 0,
    [property: Id(9)] string ModelName = ModelNames.External,
    [property: Id(10)] string ImageRoot = "",
    [property: Id(11)] double GroundTruthFraction = 0,
    [property: Id(12)] double ReprioritizeBelowIoU = 0,
    [property: Id(13)] double ReferenceFraction = 0,
    [property: Id(14)] double DoublePaintingFraction = 0);
