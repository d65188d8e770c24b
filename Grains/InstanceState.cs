using Grains.Interfaces;
using Segmentation.Ranking;

namespace Grains;

/// <summary>
/// An instance grain's state, stored as its row of the instance table, with the state's own pure rules: what a round-0
/// mask does, whether a lease is held, how a finished round is assessed and what callers see.
/// </summary>
[GenerateSerializer, Alias("InstanceState")]
public sealed class InstanceState
{
    [Id(0)] public InstanceSpec? Spec { get; set; }

    [Id(1)] public InstanceStatus Status { get; set; }

    /// <summary>While WaitingForModel: the round whose mask is awaited; otherwise the annotation round.</summary>
    [Id(2)] public int CurrentRound { get; set; }

    [Id(3)] public string? LeasedTo { get; set; }

    [Id(4)] public DateTimeOffset? LeaseExpiresAt { get; set; }

    [Id(5)] public List<RoundMask> Masks { get; set; } = [];

    [Id(6)] public List<ClickRecord> Clicks { get; set; } = [];

    [Id(7)] public List<RoundAnswer> Answers { get; set; } = [];

    /// <summary>Every accepted submission id with the result it was given, for replies to repeated submissions.</summary>
    [Id(8)] public Dictionary<string, SubmissionResult> Processed { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The imported ground-truth mask, for evaluation only.</summary>
    [Id(9)] public MaskRle? GroundTruth { get; set; }

    /// <summary>Per finished round, the quality model's predicted IoU of the mask (rounds finished before a model existed have none).</summary>
    [Id(10)] public Dictionary<int, double> PredictedIoU { get; set; } = [];

    /// <summary>Extra rounds granted beyond the campaign's rounds (from an extra-click budget).</summary>
    [Id(11)] public int ExtraRoundsGranted { get; set; }

    /// <summary>When the instance last became Done (UTC ticks); 0 otherwise.</summary>
    [Id(12)] public long FinishedAt { get; set; }

    /// <summary>The quality signals of the last finished round, and its mask's IoU with the ground truth (if known).</summary>
    [Id(13)] public QualitySignals? LastSignals { get; set; }

    [Id(14)] public double? LastTrueIoU { get; set; }

    /// <summary>The id of the last extra-round grant, so a repeated grant is recognised.</summary>
    [Id(15)] public string? LastGrantId { get; set; }

    /// <summary>The painting answers of a reference instance (at most one per pass).</summary>
    [Id(16)] public List<ReferencePainting> Paintings { get; set; } = [];

    /// <summary>Whether <see cref="GroundTruth"/> is a painted mask rather than an imported one.</summary>
    [Id(17)] public bool ReferencePainted { get; set; }

    /// <summary>An item of a qualification test, whose reference test-takers see: no gold task, no extra round.</summary>
    [Id(18)] public bool QualificationItem { get; set; }

    /// <summary>The state an import stores for a new instance: waiting for its round-0 mask.</summary>
    public static InstanceState Imported(InstanceSpec spec, MaskRle? groundTruth) =>
        new() { Spec = spec, GroundTruth = groundTruth, Status = InstanceStatus.WaitingForModel, CurrentRound = 0 };

    /// <summary>The round-0 mask arrives: the instance waits for round 1 (every campaign has at least one round).</summary>
    public void ApplyRound0Mask(MaskRle mask)
    {
        Masks.Add(new RoundMask(0, mask, null));
        Status = InstanceStatus.Queued;
        CurrentRound = 1;
    }

    /// <summary>The last round the instance may have: the campaign's rounds and the extra rounds granted.</summary>
    public int RoundLimit => (Spec?.Rounds ?? 0) + ExtraRoundsGranted;

    /// <summary>Done because the last allowed round was answered with clicks and re-masked (not accepted as it was).</summary>
    public bool Exhausted => Status == InstanceStatus.Done && Masks.Count > 0 && Masks[^1].Round == CurrentRound;

    public bool HoldsLease(string annotatorId, DateTimeOffset now) =>
        Status == InstanceStatus.Leased && LeasedTo == annotatorId && LeaseExpiresAt > now;

    /// <summary>
    /// The assessment of finished round <paramref name="round"/> (signals, and the true IoU when the instance has a reference
    /// mask); null before any mask. A round accepted with no clicks keeps the previous mask, and with it that mask's model score.
    /// </summary>
    public RoundAssessment? Assess(int round)
    {
        if (Masks.Where(m => m.Round < round).MaxBy(m => m.Round) is not { } previous) return null;
        var previousMask = previous.Mask.ToKernel().ToMask();
        var current = Masks.FirstOrDefault(m => m.Round == round) ?? previous;
        var currentMask = ReferenceEquals(current, previous) ? previousMask : current.Mask.ToKernel().ToMask();
        var clicks = Clicks.Where(c => c.Round == round).Select(c => c.ToKernel()).ToArray();
        return RoundAssessment.Of(previousMask, currentMask, clicks, round, current.ModelScore, GroundTruth?.ToKernel().ToMask());
    }

    /// <summary>What callers see of the instance: a lapsed lease shows as queued.</summary>
    public InstanceView View(string key, DateTimeOffset now)
    {
        var lapsed = Status == InstanceStatus.Leased && !(LeaseExpiresAt > now);
        return new InstanceView(
            key, Spec,
            lapsed ? InstanceStatus.Queued : Status,
            CurrentRound,
            lapsed ? null : LeasedTo,
            lapsed ? null : LeaseExpiresAt,
            Masks.ToArray(), Clicks.ToArray(), Answers.ToArray(), Processed.Count, new Dictionary<int, double>(PredictedIoU));
    }
}
