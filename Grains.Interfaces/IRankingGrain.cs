using Orleans.Concurrency;

namespace Grains.Interfaces;

/// <summary>
/// The mask quality model M_r of one campaign (key: campaign id): the training examples from ground-truth
/// instances, and the model, retrained as examples arrive and saved with a version.
/// </summary>
public interface IRankingGrain : IGrainWithStringKey
{
    /// <summary>Adds the round's signals with its true IoU; retrains when enough new examples have arrived. Idempotent per instance and round.</summary>
    Task AddExample(string instanceId, QualitySignals signals, double trueIoU);

    /// <summary>The model if its version is newer than <paramref name="knownVersion"/>, else null.</summary>
    [AlwaysInterleave]
    Task<RankingModelSnapshot?> GetModel(int knownVersion);

    [AlwaysInterleave]
    Task<RankingSummary> GetSummary();
}
