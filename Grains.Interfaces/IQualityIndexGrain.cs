namespace Grains.Interfaces;

/// <summary>
/// The ranking view of one campaign shard (key <c>"{campaignId}/{shard}"</c>): each instance's last finished round with its
/// quality signals, scored with the campaign's current M_r. Rounds finished before a model existed (or under an older
/// version) are re-scored when a newer model appears, so the ranking never mixes model versions.
/// </summary>
public interface IQualityIndexGrain : IGrainWithStringKey
{
    /// <summary>The most entries one call reads or returns.</summary>
    public const int MaxTake = 100_000;

    /// <summary>Records (replaces) the instance's entry and returns its predicted IoU under the current model, or null without a model.</summary>
    Task<double?> Record(QualityRecord record);

    /// <summary>The <paramref name="take"/> lowest (or highest) predicted IoUs of the shard and the shard's count of ranked entries.</summary>
    Task<RankedPage> Ranked(int take, bool worstFirst);

    /// <summary>
    /// The predicted IoU of each of <paramref name="instanceIds"/> that has one, scored with model version
    /// <paramref name="atLeastVersion"/> or newer (the shard re-scores first when it is behind; a long export passes the
    /// version it started with, so no page is scored by an older model and pages do not ask the ranking grain each time).
    /// </summary>
    Task<IReadOnlyDictionary<string, double>> PredictedIoUs(IReadOnlyList<string> instanceIds, int atLeastVersion);

    /// <summary>Every entry with a true IoU and a prediction.</summary>
    Task<IReadOnlyList<RankedInstance>> GroundTruthEntries();

    /// <summary>The shard's best <paramref name="take"/> candidates for an extra round (lowest sort key first), leaving out <paramref name="exclude"/>.</summary>
    Task<IReadOnlyList<ExtraCandidate>> ExtraCandidates(ExtraRoundStrategy strategy, int seed, int maxExtraRounds, IReadOnlyList<string> exclude, int take);
}
