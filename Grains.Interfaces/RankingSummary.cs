namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("RankingSummary")]
public sealed record RankingSummary(
    [property: Id(0)] int Examples,
    [property: Id(1)] int ModelVersion,
    [property: Id(2)] int TrainedOnExamples,
    [property: Id(3)] IReadOnlyDictionary<string, double> FeatureImportances);
