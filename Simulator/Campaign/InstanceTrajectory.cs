namespace Simulator.Campaign;

/// <summary>
/// What the client learns about one instance's masks over a campaign, turned into the IoU after each round
/// 0..R the same way the eval command's trajectory is built.
/// </summary>
/// <remarks>
/// A task for round r carries the mask after round r - 1 (round 0 is the box model's mask). The mask after the
/// last correction is never sent in a task; it is the exported one. An instance accepted in round r (0 clicks)
/// keeps its mask for rounds r..R, exactly like a 0-click round in <c>Protocols.RunRounds</c>. Extra rounds
/// R+1..R+K, granted from a click budget after the regular rounds, only count their clicks: they leave the
/// regular rounds' figures as they were. Not thread-safe: the owner (<see cref="CampaignInstance"/>) locks.
/// </remarks>
public sealed class InstanceTrajectory
{
    private readonly double?[] known;
    private readonly int?[] clicks;
    private readonly int?[] extraClicks;

    public InstanceTrajectory(int rounds, int extraRounds = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rounds);
        ArgumentOutOfRangeException.ThrowIfNegative(extraRounds);
        known = new double?[rounds + 1];
        clicks = new int?[rounds + 1];
        extraClicks = new int?[extraRounds];
    }

    /// <summary>The regular rounds R.</summary>
    public int Rounds => known.Length - 1;

    /// <summary>The last round a task may have: R plus the extra rounds the instance may be given.</summary>
    public int LastRound => Rounds + extraClicks.Length;

    /// <summary>Extra rounds (after R) answered so far.</summary>
    public int ExtraRoundsAnswered => extraClicks.Count(c => c is not null);

    /// <summary>Clicks submitted in extra rounds.</summary>
    public int ExtraClicks => extraClicks.Sum(c => c ?? 0);

    /// <summary>The regular round whose answer had 0 clicks, if any.</summary>
    public int? AcceptedRound { get; private set; }

    /// <summary>The IoU of the mask after <paramref name="round"/> (0..R) with the ground truth.</summary>
    public void RecordMask(int round, double iou)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(round, Rounds);
        known[round] = iou;
    }

    /// <summary>The number of clicks submitted in <paramref name="round"/> (1..R, or an extra round up to <see cref="LastRound"/>); 0 accepts the mask.</summary>
    public void RecordAnswer(int round, int clickCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(round, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(round, LastRound);
        ArgumentOutOfRangeException.ThrowIfNegative(clickCount);
        if (round > Rounds)
        {
            extraClicks[round - Rounds - 1] = clickCount;
            return;
        }
        clicks[round] = clickCount;
        if (clickCount == 0 && (AcceptedRound is null || round < AcceptedRound)) AcceptedRound = round;
    }

    /// <summary>Clicks per round 0..R (round 0, the box, has none; unanswered rounds count 0).</summary>
    public IReadOnlyList<int> ClicksPerRound => clicks.Select((c, r) => r == 0 ? 0 : c ?? 0).ToArray();

    /// <summary>
    /// IoU after each round 0..R. A round whose mask no task carried takes the mask it started from when it was
    /// not corrected (accepted, or never handed out), and the exported mask when it was corrected (so its mask
    /// is the last one); the mask after round R is the exported one whenever there is an export. Null where
    /// nothing is known (an instance without any mask).
    /// </summary>
    public IReadOnlyList<double?> IoUPerRound(double? exportIoU)
    {
        var result = new double?[known.Length];
        for (var r = 0; r <= Rounds; r++)
        {
            var value = known[r];
            if (value is null)
                value = r == 0 || clicks[r] > 0 ? exportIoU : result[r - 1];
            if (r == Rounds && exportIoU is not null) value = exportIoU;
            result[r] = value;
        }
        return result;
    }
}
