namespace Grains.Interfaces;

/// <summary>
/// <see cref="Instances"/> counts distinct instances answered without a skip; clicks and seconds per instance
/// are over those answers; skips are counted separately.
/// </summary>
[GenerateSerializer, Immutable, Alias("AnnotatorStatistics")]
public sealed record AnnotatorStatistics(
    [property: Id(0)] int Instances,
    [property: Id(1)] int Answers,
    [property: Id(2)] int Clicks,
    [property: Id(3)] double ClicksPerInstance,
    [property: Id(4)] double SecondsPerInstance,
    [property: Id(5)] int Skips);
