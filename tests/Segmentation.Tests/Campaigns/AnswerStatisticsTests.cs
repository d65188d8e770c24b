using Segmentation.Campaigns;

namespace Segmentation.Tests.Campaigns;

public sealed class AnswerStatisticsTests
{
    static readonly DateTimeOffset T0 = new(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);

    static AnswerRecord A(string id, int round, int clicks, double seconds, int minute, bool skipped = false) =>
        new(id, round, clicks, skipped, seconds, T0.AddMinutes(minute));

    [Fact]
    public void Counts_answers_per_round_by_clicks_times_per_answer_type_and_throughput()
    {
        AnswerRecord[] answers =
        [
            A("a", 1, 0, 4, 0),          // accepted at once: a is finished
            A("b", 1, 2, 10, 10),
            A("c", 1, 0, 6, 20, skipped: true),   // c is finished
            A("b", 2, 1, 8, 30),         // the last regular round: b is finished
            A("b", 3, 4, 12, 60),        // an extra round: b is not finished again
        ];

        var s = AnswerStatistics.Compute(answers, rounds: 2, maxClicksPerRound: 4);

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
        var skip = s.SecondsByAnswer.Single(x => x.Answer == "skip");
        Assert.Equal((1, 6.0, 6.0), (skip.Count, skip.MeanSeconds, skip.MedianSeconds));
        var zero = s.SecondsByAnswer.Single(x => x.Answer == "0");
        Assert.Equal((1, 4.0), (zero.Count, zero.MeanSeconds));
        Assert.Equal([1, 1, 2, 3, 3], s.Timeline.Select(p => p.InstancesDone));
        Assert.Equal([1, 2, 3, 4, 5], s.Timeline.Select(p => p.Answers));
    }

    [Fact]
    public void No_answers_give_no_rates_and_a_long_campaign_keeps_at_most_200_timeline_points()
    {
        var empty = AnswerStatistics.Compute([], rounds: 3, maxClicksPerRound: 4);
        Assert.Null(empty.InstancesPerHour);
        Assert.Null(empty.SecondsPerInstance);
        Assert.Empty(empty.Timeline);

        var many = Enumerable.Range(0, 1000).Select(i => A("i" + i, 1, 0, 3, i)).ToArray();
        var s = AnswerStatistics.Compute(many, rounds: 3, maxClicksPerRound: 4);
        Assert.True(s.Timeline.Count <= AnswerStatistics.MaxTimelinePoints);
        Assert.Equal(1000, s.Timeline[^1].Answers);
        Assert.Equal(1000, s.Timeline[^1].InstancesDone);
    }
}
