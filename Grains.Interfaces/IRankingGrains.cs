using Orleans.Concurrency;

namespace Grains.Interfaces;

/// <summary>The five quality signals of one finished round (see the kernel's <c>QualityFeatures</c>).</summary>
[GenerateSerializer, Immutable, Alias("QualitySignals")]
public sealed record QualitySignals(
    [property: Id(0)] int ClicksInRound,
    [property: Id(1)] int Round,
    [property: Id(2)] double MaskChangeIoU,
    [property: Id(3)] double MaxClickDistance,
    [property: Id(4)] double MeanClickDistance);

[GenerateSerializer, Immutable, Alias("RankingModelSnapshot")]
public sealed record RankingModelSnapshot(
    [property: Id(0)] int Version,
    [property: Id(1)] byte[] Model);

[GenerateSerializer, Immutable, Alias("RankingSummary")]
public sealed record RankingSummary(
    [property: Id(0)] int Examples,
    [property: Id(1)] int ModelVersion,
    [property: Id(2)] int TrainedOnExamples,
    [property: Id(3)] IReadOnlyDictionary<string, double> FeatureImportances);

/// <summary>
/// The mask quality model M_r of one campaign (key: campaign id): the training examples from ground-truth
/// instances, and the model, retrained as examples arrive and saved with a version.
/// </summary>
public interface IRankingGrain : IGrainWithStringKey
{
    /// <summary>Adds the round's signals with its true IoU; retrains when enough new examples have arrived. Idempotent per instance and round.</summary>
    Task AddExample(string instanceId, QualitySignals signals, double trueIoU);

    /// <summary>The model if its version is newer than <paramref name="knownVersion"/>, else null.</summary>
    Task<RankingModelSnapshot?> GetModel(int knownVersion);

    Task<RankingSummary> GetSummary();
}

/// <summary>Scores masks with the campaign's current M_r; the model is loaded once per silo and shared without locking.</summary>
public interface IScoringGrain : IGrainWithIntegerKey
{
    /// <summary>The predicted IoU, or null while the campaign has no model yet.</summary>
    Task<double?> Score(string campaignId, QualitySignals signals);
}
