namespace Segmentation.Campaigns;

/// <summary>The figures of a campaign's dashboard, from its annotators' answers.</summary>
public static class AnswerStatistics
{
    public const int MaxTimelinePoints = 200;

    /// <summary>
    /// An instance is finished by its first answer that skips, accepts (0 clicks) or corrects in the last regular round;
    /// later (extra) rounds do not finish it again. Throughput counts finished instances between the first and the last answer.
    /// </summary>
    public static CampaignAnswerStatistics Compute(IReadOnlyList<AnswerRecord> answers, int rounds, int maxClicksPerRound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxClicksPerRound);
        var ordered = answers.OrderBy(a => a.At).ToArray();
        var instances = ordered.Select(a => a.InstanceId).Distinct(StringComparer.Ordinal).Count();

        var byRound = ordered.GroupBy(a => a.Round).OrderBy(g => g.Key).Select(g =>
        {
            var counts = new int[maxClicksPerRound + 1];
            foreach (var a in g.Where(a => !a.Skipped)) counts[Math.Clamp(a.Clicks, 0, maxClicksPerRound)]++;
            return new RoundAnswers(g.Key, g.Count(a => a.Skipped), counts);
        }).ToArray();

        var seconds = ordered.GroupBy(a => a.Skipped ? -1 : a.Clicks).OrderBy(g => g.Key).Select(g =>
        {
            var values = g.Select(a => a.Seconds).ToArray();
            return new AnswerSeconds(g.Key < 0 ? "skip" : g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture),
                values.Length, values.Average(), Median(values));
        }).ToArray();

        var timeline = new List<TimelinePoint>();
        var finished = new HashSet<string>(StringComparer.Ordinal);
        var done = 0;
        var step = Math.Max(1, (int)Math.Ceiling(ordered.Length / (double)MaxTimelinePoints));
        for (var i = 0; i < ordered.Length; i++)
        {
            var a = ordered[i];
            if ((a.Skipped || a.Clicks == 0 || a.Round >= rounds) && finished.Add(a.InstanceId)) done++;
            if ((i + 1) % step == 0 || i == ordered.Length - 1) timeline.Add(new TimelinePoint(a.At, i + 1, done));
        }

        double? perHour = null;
        if (ordered.Length >= 2)
        {
            var hours = (ordered[^1].At - ordered[0].At).TotalHours;
            if (hours > 0) perHour = done / hours;
        }
        return new CampaignAnswerStatistics(
            ordered.Length, perHour,
            instances == 0 ? null : ordered.Sum(a => a.Seconds) / instances,
            instances == 0 ? null : ordered.Where(a => !a.Skipped).Sum(a => (double)a.Clicks) / instances,
            byRound, seconds, timeline);
    }

    static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
