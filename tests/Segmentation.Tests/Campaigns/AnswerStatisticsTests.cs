using Segmentation.Campaigns;

namespace Segmentation.Tests.Campaigns;

public sealed class AnswerStatisticsTests
{
    static readonly DateTimeOffset T0 = new(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);

    sealed record Answer(int Round, int Clicks, double Seconds, DateTimeOffset At, bool Skipped = false);

    static Answer A(int round, int clicks, double seconds, int minute, bool skipped = false) => new(round, clicks, seconds, T0.AddMinutes(minute), skipped);

    /// <summary>What the store holds after these answers: each answer's counters, added up per key.</summary>
    static IReadOnlyList<AnswerCounter> Counted(IEnumerable<Answer> answers, int rounds) =>
        AnswerCounters.Sum(answers.SelectMany(a => AnswerCounters.Of(a.Round, a.Clicks, a.Skipped, a.Seconds, a.At, rounds)));

    [Fact]
    public void Counts_answers_per_round_by_clicks_times_per_answer_type_and_throughput()
    {
        Answer[] answers =
        [
            A(1, 0, 4, 0),          // instance a accepted at once: finished
            A(1, 2, 10, 10),        // b
            A(1, 0, 6, 20, skipped: true),   // c skipped: finished
            A(2, 1, 8, 30),         // b in the last regular round: finished
            A(3, 4, 12, 60),        // b in an extra round: not finished again
        ];

        var s = AnswerStatistics.FromCounters(Counted(answers, rounds: 2), maxClicksPerRound: 4);

        Assert.Equal(5, s.Answers);
        Assert.Equal([1, 2, 3], s.AnswersByRound.Select(r => r.Round));
        Assert.Equal([1, 0, 1, 0, 0], s.AnswersByRound[0].ByClicks);
        Assert.Equal(1, s.AnswersByRound[0].Skipped);
        Assert.Equal([0, 1, 0, 0, 0], s.AnswersByRound[1].ByClicks);
        Assert.Equal([0, 0, 0, 0, 1], s.AnswersByRound[2].ByClicks);
        // Three instances finished over the hour from the first answer to the last.
        Assert.Equal(3.0, s.InstancesPerHour!.Value, 9);
        Assert.Equal((4 + 10 + 6 + 8 + 12) / 3.0, s.SecondsPerInstance!.Value, 9);
        Assert.Equal((0 + 2 + 1 + 4) / 3.0, s.ClicksPerInstance!.Value, 9);
        Assert.Equal(["skip", "0", "1", "2", "4"], s.SecondsByAnswer.Select(x => x.Answer));
        var skip = s.SecondsByAnswer.Single(x => x.Answer == "skip");
        Assert.Equal((1, 6.0, 6.0), (skip.Count, skip.MeanSeconds, skip.MedianSeconds));
        var zero = s.SecondsByAnswer.Single(x => x.Answer == "0");
        Assert.Equal((1, 4.0), (zero.Count, zero.MeanSeconds));
        Assert.Equal([1, 1, 2, 3, 3], s.Timeline.Select(p => p.InstancesDone));
        Assert.Equal([1, 2, 3, 4, 5], s.Timeline.Select(p => p.Answers));
        Assert.Equal(T0.AddMinutes(60), s.Timeline[^1].At);
    }

    [Fact]
    public void Medians_from_the_histogram_are_within_its_bucket_width_of_the_exact_median()
    {
        var random = new Random(7);
        var seconds = Enumerable.Range(0, 2001).Select(_ => Math.Exp(random.NextDouble() * 6) - 0.5).ToArray();
        var s = AnswerStatistics.FromCounters(Counted(seconds.Select((x, i) => A(1, 1, x, i % 50)), rounds: 3), maxClicksPerRound: 4);

        var exact = seconds.Order().ElementAt(1000);
        var median = s.SecondsByAnswer.Single().MedianSeconds;
        Assert.InRange(median, exact * 0.98, exact * 1.02);
        Assert.Equal(seconds.Average(), s.SecondsByAnswer.Single().MeanSeconds, 9);
    }

    [Fact]
    public void The_timeline_reads_minutes_hours_or_days_so_it_stays_within_200_points()
    {
        var empty = AnswerStatistics.FromCounters([], maxClicksPerRound: 4);
        Assert.Equal(0, empty.Answers);
        Assert.Null(empty.InstancesPerHour);
        Assert.Null(empty.SecondsPerInstance);
        Assert.Empty(empty.Timeline);

        // 1000 minutes: minute buckets; 5000 minutes: hour buckets; 1000 days: day buckets; each merged to at most 200 points.
        foreach (var (spacing, kind) in new[] { (1, AnswerCounterKind.Minute), (5, AnswerCounterKind.Hour), (24 * 60, AnswerCounterKind.Day) })
        {
            var many = Enumerable.Range(0, 1000).Select(i => A(1, 0, 3, i * spacing)).ToArray();
            var counters = Counted(many, rounds: 3);
            Assert.Equal(kind, AnswerCounters.TimelineKind(counters[0].FirstAtTicks, counters[0].LastAtTicks, AnswerStatistics.MaxTimelineBuckets));
            var s = AnswerStatistics.FromCounters(counters, maxClicksPerRound: 4);
            Assert.InRange(s.Timeline.Count, 2, AnswerStatistics.MaxTimelinePoints);
            Assert.Equal(1000, s.Timeline[^1].Answers);
            Assert.Equal(1000, s.Timeline[^1].InstancesDone);
            Assert.Equal(many[^1].At, s.Timeline[^1].At);
            Assert.True(s.Timeline.Zip(s.Timeline.Skip(1)).All(p => p.First.At < p.Second.At && p.First.Answers < p.Second.Answers));
        }
    }

    [Fact]
    public void Counters_of_different_keys_do_not_add()
    {
        var a = AnswerCounters.Of(1, 0, false, 1, T0, 3);
        Assert.Throws<ArgumentException>(() => AnswerCounters.Add(a[0], a[1]));
        Assert.Equal(a.OrderBy(c => c.Kind).ThenBy(c => c.K1).ThenBy(c => c.K2), a);
    }
}
