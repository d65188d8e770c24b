using Orleans.Concurrency;

namespace Grains.Interfaces;

/// <summary>
/// The paper's five quality signals of one finished round (see the kernel's <c>QualityFeatures</c>), and the segmentation
/// model's own score of the round's mask when the model gives one.
/// </summary>
[GenerateSerializer, Immutable, Alias("QualitySignals")]
public sealed record QualitySignals(
    [property: Id(0)] int ClicksInRound,
    [property: Id(1)] int Round,
    [property: Id(2)] double MaskChangeIoU,
    [property: Id(3)] double MaxClickDistance,
    [property: Id(4)] double MeanClickDistance,
    [property: Id(5)] double? ModelScore = null);

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
    [AlwaysInterleave]
    Task<RankingModelSnapshot?> GetModel(int knownVersion);

    [AlwaysInterleave]
    Task<RankingSummary> GetSummary();
}

/// <summary>What an instance tells its quality index shard after each finished round and on each change that matters for ranking.</summary>
/// <param name="Round">The last finished annotation round (its mask is the instance's current mask).</param>
/// <param name="Signals">The round's quality signals; null when the campaign computes none (no ground-truth fraction).</param>
/// <param name="TrueIoU">For instances with a ground-truth mask: the current mask's IoU with it.</param>
/// <param name="Training">Whether the instance's rounds train M_r.</param>
/// <param name="Exhausted">Done because its last allowed round was annotated with clicks (not accepted with zero clicks).</param>
/// <param name="FinishedAt">When the instance last became Done (UTC ticks); 0 while it is not Done.</param>
/// <param name="ExtraRounds">Extra rounds granted so far.</param>
[GenerateSerializer, Immutable, Alias("QualityRecord")]
public sealed record QualityRecord(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] int Round,
    [property: Id(2)] QualitySignals? Signals,
    [property: Id(3)] double? TrueIoU,
    [property: Id(4)] bool Training,
    [property: Id(5)] InstanceStatus Status,
    [property: Id(6)] bool Exhausted,
    [property: Id(7)] long FinishedAt,
    [property: Id(8)] int ExtraRounds);

/// <summary>One instance in a campaign's ranking, with the predicted IoU of its current mask under the campaign's current model.</summary>
[GenerateSerializer, Immutable, Alias("RankedInstance")]
public sealed record RankedInstance(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] int Round,
    [property: Id(2)] double? PredictedIoU,
    [property: Id(3)] InstanceStatus Status,
    [property: Id(4)] double? TrueIoU,
    [property: Id(5)] bool Training,
    [property: Id(6)] int ExtraRounds);

[GenerateSerializer, Immutable, Alias("RankedPage")]
public sealed record RankedPage(
    [property: Id(0)] IReadOnlyList<RankedInstance> Items,
    [property: Id(1)] int Total,
    [property: Id(2)] int ModelVersion);

/// <summary>How an extra-click budget chooses the instances that get extra rounds.</summary>
[GenerateSerializer, Alias("ExtraRoundStrategy")]
public enum ExtraRoundStrategy
{
    /// <summary>Lowest predicted IoU first (needs a quality model).</summary>
    Ranked = 0,

    /// <summary>A seeded random order.</summary>
    Random = 1,

    /// <summary>In the order the instances finished their rounds.</summary>
    QueueOrder = 2,
}

[GenerateSerializer, Immutable, Alias("ExtraCandidate")]
public sealed record ExtraCandidate(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] double SortKey);

/// <summary>
/// The ranking view of one campaign shard (key <c>"{campaignId}/{shard}"</c>): each instance's last finished round with its
/// quality signals, scored with the campaign's current M_r. Rounds finished before a model existed (or under an older
/// version) are re-scored when a newer model appears, so the ranking never mixes model versions.
/// </summary>
public interface IQualityIndexGrain : IGrainWithStringKey
{
    /// <summary>Records (replaces) the instance's entry and returns its predicted IoU under the current model, or null without a model.</summary>
    Task<double?> Record(QualityRecord record);

    /// <summary>The <paramref name="take"/> lowest (or highest) predicted IoUs of the shard and the shard's count of ranked entries.</summary>
    Task<RankedPage> Ranked(int take, bool worstFirst);

    /// <summary>The current predicted IoU of each of <paramref name="instanceIds"/> that has one.</summary>
    Task<IReadOnlyDictionary<string, double>> PredictedIoUs(IReadOnlyList<string> instanceIds);

    /// <summary>Every entry with a true IoU and a prediction.</summary>
    Task<IReadOnlyList<RankedInstance>> GroundTruthEntries();

    /// <summary>The shard's best <paramref name="take"/> candidates for an extra round (lowest sort key first), leaving out <paramref name="exclude"/>.</summary>
    Task<IReadOnlyList<ExtraCandidate>> ExtraCandidates(ExtraRoundStrategy strategy, int seed, int maxExtraRounds, IReadOnlyList<string> exclude, int take);
}

[GenerateSerializer, Immutable, Alias("ExtraRoundsRequest")]
public sealed record ExtraRoundsRequest(
    [property: Id(0)] int ClickBudget,
    [property: Id(1)] ExtraRoundStrategy Strategy,
    [property: Id(2)] int Seed = 1,
    [property: Id(3)] int MaxExtraRoundsPerInstance = 1);

[GenerateSerializer, Immutable, Alias("ExtraRoundsSummary")]
public sealed record ExtraRoundsSummary(
    [property: Id(0)] ExtraRoundsRequest? Request,
    [property: Id(1)] bool Active,
    [property: Id(2)] int ClicksSpent,
    [property: Id(3)] int Outstanding,
    [property: Id(4)] int RoundsGranted,
    [property: Id(5)] int RoundsFinished,
    [property: Id(6)] string? StopReason);

/// <summary>
/// Spends a manager's extra-click budget of one campaign (key: campaign id) on extra rounds after the last round:
/// grants rounds to the best candidates of the quality index shards, one round's clicks reserved each, and grants more
/// as rounds finish with their actual click counts, until the budget cannot pay for another round or no candidate is left.
/// </summary>
public interface IExtraRoundsGrain : IGrainWithStringKey
{
    /// <summary>Starts spending. Repeating the active request is a no-op; another request while one is active is refused.</summary>
    Task<ExtraRoundsSummary> Start(ExtraRoundsRequest request);

    /// <summary>
    /// An instance's extra round ended (corrected and re-masked, accepted or skipped) with <paramref name="clicks"/> clicks.
    /// Charges the clicks; further rounds are granted afterwards (<see cref="GrantMore"/>). One-way, so an instance never
    /// waits on this grain while the grain may be asking instances (the caller can be the next candidate, or an outstanding
    /// grant being reconciled). A notice lost with a crash is recovered on activation from the instance's own state.
    /// </summary>
    [OneWay]
    Task RoundFinished(string instanceId, int round, int clicks);

    /// <summary>Grants the rounds the unreserved budget pays for (sent by the grain to itself after a round finished).</summary>
    [OneWay]
    Task GrantMore();

    [AlwaysInterleave]
    Task<ExtraRoundsSummary> GetSummary();
}
