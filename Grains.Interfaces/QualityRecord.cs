namespace Grains.Interfaces;

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
