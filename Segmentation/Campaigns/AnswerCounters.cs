namespace Segmentation.Campaigns;

/// <summary>
/// The counters one answer adds to (see <see cref="AnswerCounterKind"/>), and their sums. An answer finishes its instance
/// when it skips, accepts (0 clicks) or corrects in the last regular round; answers of extra rounds finish nothing again.
/// </summary>
public static class AnswerCounters
{
    /// <summary>Histogram buckets are 2% wide: bucket b holds answers of [1.02^b - 1, 1.02^(b+1) - 1) milliseconds.</summary>
    const double BucketRatio = 1.02;

    public const long SkipType = -1;

    public static bool Finishes(int round, int clicks, bool skipped, int rounds) =>
        round <= rounds && (skipped || clicks == 0 || round == rounds);

    public static long AnswerType(int clicks, bool skipped) => skipped ? SkipType : Math.Max(0, clicks);

    public static long SecondsBucket(double seconds) =>
        (long)Math.Floor(Math.Log(1 + Math.Max(0, seconds) * 1000) / Math.Log(BucketRatio));

    /// <summary>The counters of one answer, in key order (writers that lock rows take them in this order).</summary>
    public static IReadOnlyList<AnswerCounter> Of(int round, int clicks, bool skipped, double seconds, DateTimeOffset at, int rounds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var finished = Finishes(round, clicks, skipped, rounds) ? 1 : 0;
        var ticks = at.UtcTicks;
        var type = AnswerType(clicks, skipped);
        AnswerCounter C(AnswerCounterKind kind, long k1, long k2) => new(kind, k1, k2, 1, finished, seconds, ticks, ticks);
        return
        [
            C(AnswerCounterKind.Total, 0, 0),
            C(AnswerCounterKind.RoundClicks, round, type),
            C(AnswerCounterKind.SecondsBucket, type, SecondsBucket(seconds)),
            C(AnswerCounterKind.Minute, ticks / TimeSpan.TicksPerMinute, 0),
            C(AnswerCounterKind.Hour, ticks / TimeSpan.TicksPerHour, 0),
            C(AnswerCounterKind.Day, ticks / TimeSpan.TicksPerDay, 0),
        ];
    }

    /// <summary>Two counters of the same key added: what the store does when an answer's counter meets the stored one.</summary>
    public static AnswerCounter Add(AnswerCounter a, AnswerCounter b)
    {
        if ((a.Kind, a.K1, a.K2) != (b.Kind, b.K1, b.K2))
            throw new ArgumentException($"Counters {(a.Kind, a.K1, a.K2)} and {(b.Kind, b.K1, b.K2)} have different keys.", nameof(b));
        return a with
        {
            Answers = a.Answers + b.Answers, Finished = a.Finished + b.Finished, Seconds = a.Seconds + b.Seconds,
            FirstAtTicks = Math.Min(a.FirstAtTicks, b.FirstAtTicks), LastAtTicks = Math.Max(a.LastAtTicks, b.LastAtTicks),
        };
    }

    /// <summary>Counters summed per key, in key order.</summary>
    public static IReadOnlyList<AnswerCounter> Sum(IEnumerable<AnswerCounter> counters) =>
        counters.GroupBy(c => (c.Kind, c.K1, c.K2)).Select(g => g.Aggregate(Add)).OrderBy(c => c.Kind).ThenBy(c => c.K1).ThenBy(c => c.K2).ToArray();

    /// <summary>
    /// The finest timeline kind that covers a campaign of this span in at most <paramref name="maxBuckets"/> buckets, so the
    /// dashboard reads a bounded number of timeline counters however long the campaign runs.
    /// </summary>
    public static AnswerCounterKind TimelineKind(long firstAtTicks, long lastAtTicks, int maxBuckets)
    {
        if (lastAtTicks / TimeSpan.TicksPerMinute - firstAtTicks / TimeSpan.TicksPerMinute < maxBuckets) return AnswerCounterKind.Minute;
        if (lastAtTicks / TimeSpan.TicksPerHour - firstAtTicks / TimeSpan.TicksPerHour < maxBuckets) return AnswerCounterKind.Hour;
        return AnswerCounterKind.Day;
    }
}
