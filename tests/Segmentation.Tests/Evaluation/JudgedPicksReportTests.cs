using Segmentation.Evaluation;

namespace Segmentation.Tests.Evaluation;

public sealed class JudgedPicksReportTests
{
    [Fact]
    public void The_report_counts_the_judges_picks_per_model_call_and_leaves_them_out_without_a_judge()
    {
        InstanceResult Instance(string id, params string[] picks) =>
            new(id, [0.7, 0.8, 0.9], [0.6, 0.7, 0.8], [0, 3, 3], null, []) { JudgedPicks = picks };
        var settings = new ProtocolSettings { Rounds = 2, JudgedChoice = Segmentation.Models.JudgedChoice.AnyAnswer };
        var report = new EvaluationReport("m", settings,
            [Instance("a", "own answer", "previous mask", "own answer"), Instance("b", "own answer", "frame, no mask prompt"), Instance("c", "own answer", "previous mask")],
            [], TimeSpan.Zero);

        var picks = report.ToJson()["summary"]!["judged_picks_per_call"]!.AsArray();

        Assert.Equal(3, picks.Count);
        Assert.Equal(3, (int)picks[0]!["own answer"]!);
        Assert.Equal(2, (int)picks[1]!["previous mask"]!);
        Assert.Equal(1, (int)picks[1]!["frame, no mask prompt"]!);
        Assert.Equal(1, (int)picks[2]!["own answer"]!);
        Assert.Equal("anyanswer", (string)report.ToJson()["settings"]!["judged_choice"]!);

        var unjudged = new EvaluationReport("m", new ProtocolSettings { Rounds = 2 }, [Instance("a")], [], TimeSpan.Zero);
        Assert.Null(unjudged.ToJson()["summary"]!["judged_picks_per_call"]);
        Assert.Null(unjudged.ToJson()["settings"]!["judged_choice"]);
    }
}
