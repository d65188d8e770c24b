namespace Segmentation.Campaigns;

/// <summary>One annotator answer as the dashboard counts it.</summary>
public sealed record AnswerRecord(string InstanceId, int Round, int Clicks, bool Skipped, double Seconds, DateTimeOffset At);

/// <summary>Answers of one round: skips, and answers with 0, 1, .., K clicks (the paper's section 5.2 figures).</summary>
public sealed record RoundAnswers(int Round, int Skipped, int[] ByClicks);

/// <summary>Time per answer type (the paper's figure 7): <see cref="Answer"/> is "skip" or the number of clicks.</summary>
public sealed record AnswerSeconds(string Answer, int Count, double MeanSeconds, double MedianSeconds);

/// <summary>Cumulative answers and finished instances at one moment.</summary>
public sealed record TimelinePoint(DateTimeOffset At, int Answers, int InstancesDone);

public sealed record CampaignAnswerStatistics(
    int Answers, double? InstancesPerHour, double? SecondsPerInstance, double? ClicksPerInstance,
    IReadOnlyList<RoundAnswers> AnswersByRound, IReadOnlyList<AnswerSeconds> SecondsByAnswer, IReadOnlyList<TimelinePoint> Timeline);

/// <summary>The figures of a campaign's dashboard, from its annotators' answers.</summary>
public static class AnswerStatistics
{
    public const int MaxTimelinePoints = 200;

    /// <summary>
    /// An answer finishes its instance when it skips, accepts (0 clicks) or corrects in the last regular round or later.
    /// Throughput counts finished instances between the first and the last answer.
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
        var done = 0;
        var step = Math.Max(1, (int)Math.Ceiling(ordered.Length / (double)MaxTimelinePoints));
        for (var i = 0; i < ordered.Length; i++)
        {
            var a = ordered[i];
            if (a.Skipped || a.Clicks == 0 || a.Round >= rounds) done++;
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
