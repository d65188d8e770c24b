namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("InstanceImport")]
public sealed record InstanceImport(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] string ImagePath,
    [property: Id(2)] int ImageWidth,
    [property: Id(3)] int ImageHeight,
    [property: Id(4)] BoxD Box,
    [property: Id(5)] string ClassName,
    [property: Id(6)] int Priority = 0,
    [property: Id(7)] MaskRle? GroundTruth = null);
