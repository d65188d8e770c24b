namespace Segmentation.Campaigns;

/// <summary>The figures of a campaign's dashboard, from its answer counters (<see cref="AnswerCounters"/>).</summary>
public static class AnswerStatistics
{
    public const int MaxTimelinePoints = 200;

    /// <summary>Timeline buckets read at most: a campaign of up to 33 hours is read by the minute, of up to 83 days by the hour.</summary>
    public const int MaxTimelineBuckets = 10 * MaxTimelinePoints;

    /// <summary>
    /// Answers per round by clicks, seconds per answer type (mean, and the median to within the histogram's 2% buckets,
    /// exact when a bucket's answers took the same time), instances per hour between the first and the last answer,
    /// and a timeline of at most <see cref="MaxTimelinePoints"/> points from the finest timeline counters within
    /// <see cref="MaxTimelineBuckets"/> buckets.
    /// Every instance's first answer is in round 1, so round 1's answers are the instances answered.
    /// </summary>
    public static CampaignAnswerStatistics FromCounters(IReadOnlyCollection<AnswerCounter> counters, int maxClicksPerRound)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxClicksPerRound);
        var total = counters.SingleOrDefault(c => c.Kind == AnswerCounterKind.Total);
        if (total is null || total.Answers == 0) return new CampaignAnswerStatistics(0, null, null, null, [], [], []);

        var roundClicks = counters.Where(c => c.Kind == AnswerCounterKind.RoundClicks).ToArray();
        var instances = roundClicks.Where(c => c.K1 == 1).Sum(c => c.Answers);
        var byRound = roundClicks.GroupBy(c => c.K1).OrderBy(g => g.Key).Select(g =>
        {
            var counts = new int[maxClicksPerRound + 1];
            foreach (var c in g.Where(c => c.K2 != AnswerCounters.SkipType)) counts[Math.Clamp(c.K2, 0, maxClicksPerRound)] += (int)c.Answers;
            return new RoundAnswers((int)g.Key, (int)g.Where(c => c.K2 == AnswerCounters.SkipType).Sum(c => c.Answers), counts);
        }).ToArray();
        var clicks = roundClicks.Where(c => c.K2 != AnswerCounters.SkipType).Sum(c => (double)c.K2 * c.Answers);

        var seconds = counters.Where(c => c.Kind == AnswerCounterKind.SecondsBucket).GroupBy(c => c.K1).OrderBy(g => g.Key).Select(g =>
        {
            var buckets = g.OrderBy(c => c.K2).ToArray();
            var count = buckets.Sum(c => c.Answers);
            return new AnswerSeconds(
                g.Key == AnswerCounters.SkipType ? "skip" : g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture),
                (int)count, buckets.Sum(c => c.Seconds) / count, Median(buckets, count));
        }).ToArray();

        double? perHour = null;
        var hours = TimeSpan.FromTicks(total.LastAtTicks - total.FirstAtTicks).TotalHours;
        if (total.Answers >= 2 && hours > 0) perHour = total.Finished / hours;

        return new CampaignAnswerStatistics(
            (int)total.Answers, perHour,
            instances == 0 ? null : total.Seconds / instances,
            instances == 0 ? null : clicks / instances,
            byRound, seconds, Timeline(counters, total));
    }

    static IReadOnlyList<TimelinePoint> Timeline(IReadOnlyCollection<AnswerCounter> counters, AnswerCounter total)
    {
        var kind = AnswerCounters.TimelineKind(total.FirstAtTicks, total.LastAtTicks, MaxTimelineBuckets);
        var buckets = counters.Where(c => c.Kind == kind).OrderBy(c => c.K1).ToArray();
        var step = Math.Max(1, (int)Math.Ceiling(buckets.Length / (double)MaxTimelinePoints));
        var points = new List<TimelinePoint>();
        long answers = 0, done = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            answers += buckets[i].Answers;
            done += buckets[i].Finished;
            if ((i + 1) % step == 0 || i == buckets.Length - 1)
                points.Add(new TimelinePoint(new DateTimeOffset(buckets[i].LastAtTicks, TimeSpan.Zero), (int)answers, (int)done));
        }
        return points;
    }

    /// <summary>The middle answer's seconds (the mean of the two middle ones for an even count), each taken as its bucket's mean.</summary>
    static double Median(AnswerCounter[] buckets, long count)
    {
        double At(long rank)
        {
            foreach (var b in buckets)
            {
                if (rank < b.Answers) return b.Seconds / b.Answers;
                rank -= b.Answers;
            }
            throw new ArgumentOutOfRangeException(nameof(rank));
        }
        return count % 2 == 1 ? At(count / 2) : (At(count / 2 - 1) + At(count / 2)) / 2;
    }
}
