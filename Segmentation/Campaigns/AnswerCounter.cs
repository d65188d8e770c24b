namespace Segmentation.Campaigns;

/// <summary>
/// A running count of a campaign's answers under one key: how many, how many of them finished their instance, their
/// seconds summed, and the first and the last answer's time (UTC ticks). Counters add up (<see cref="AnswerCounters.Add"/>),
/// so the store keeps them as answers arrive and the dashboard never reads the answers themselves.
/// </summary>
public sealed record AnswerCounter(
    AnswerCounterKind Kind, long K1, long K2, long Answers, long Finished, double Seconds, long FirstAtTicks, long LastAtTicks);
