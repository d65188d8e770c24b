using Grains.Interfaces;

namespace Grains.Store;

/// <summary>An instance's entry in its campaign's quality index: the last finished round and what M_r said of its mask.</summary>
public sealed record QualityRow(
    string InstanceId,
    int Shard,
    int Round,
    InstanceStatus Status,
    bool Exhausted,
    long FinishedAt,
    int ExtraRounds,
    bool Training,
    double? TrueIoU,
    QualitySignals? Signals,
    double? Predicted,
    int ScoredVersion);

/// <summary>How extra-round candidates are read: by predicted IoU, by finishing time, or in instance order.</summary>
public enum CandidateOrder
{
    Predicted,
    FinishedAt,
    InstanceId,
}
