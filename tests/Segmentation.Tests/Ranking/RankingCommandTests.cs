using System.Text.Json.Nodes;
using Segmentation.Tests.Datasets;
using Segmentation.Tests.Evaluation;
using Simulator;

namespace Segmentation.Tests.Ranking;

[Collection(nameof(ConsoleOutput))]
public sealed class RankingCommandTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>An eval result with <paramref name="count"/> instances of two rounds whose model score tells the final IoU.</summary>
    string Signals(int count)
    {
        var random = new Random(5);
        var instances = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var iou = 0.5 + 0.5 * random.NextDouble();
            JsonObject Round(int round, double trueIoU, double score) => new()
            {
                ["round"] = round,
                ["clicks"] = 3,
                ["mask_change_iou"] = random.NextDouble(),
                ["max_click_distance"] = 20 * random.NextDouble(),
                ["mean_click_distance"] = 10 * random.NextDouble(),
                ["model_score"] = score,
                ["previous_mask_area"] = 400,
                ["mask_area"] = 420,
                ["true_iou"] = trueIoU,
            };
            instances.Add(new JsonObject
            {
                ["id"] = $"{i:000}",
                ["quality"] = new JsonArray(Round(1, 0.6, 0.6), Round(2, iou, iou + 0.02 * (random.NextDouble() - 0.5))),
            });
        }
        var path = Path.Combine(temp.Path, $"signals-{count}.json");
        File.WriteAllText(path, new JsonObject { ["instances"] = instances }.ToJsonString());
        return path;
    }

    [Fact]
    public void The_study_writes_the_spread_of_the_ranking_over_ground_truth_draws()
    {
        var outPath = Path.Combine(temp.Path, "study.json");

        var exit = RankingCommand.Run(["--signals", Signals(120), "--draws", "4", "--gt-fraction", "0.2", "--features", "paper+score", "--out", outPath]);

        Assert.Equal(0, exit);
        var result = JsonNode.Parse(File.ReadAllText(outPath))!;
        Assert.Equal("paper+score", (string)result["settings"]!["features"]!);
        var file = result["files"]!.AsArray().Single()!;
        Assert.Equal(120, (int)file["instances"]!);
        Assert.Equal(4, (int)file["spearman"]!["count"]!);
        Assert.True((double)file["spearman"]!["min"]! > 0.8, "the model score tells the quality in every draw");
        Assert.Equal(4, (int)file["draws_meeting_both_targets"]!);
        Assert.True((double)file["model_score_spearman"]!["mean"]! > 0.8, "ranked by the score alone, without training");
        var draw = file["draws"]!.AsArray()[0]!;
        Assert.Equal(24, (int)draw["training_instances"]!);
        Assert.Equal(48, (int)draw["training_examples"]!);
        Assert.Equal(96, (int)draw["held_out"]!);
        Assert.Equal(10, draw["top_percent_miou"]!.AsObject().Count);
    }

    [Fact]
    public void The_paper_signals_alone_cannot_rank_what_only_the_score_tells()
    {
        var outPath = Path.Combine(temp.Path, "paper.json");

        RankingCommand.Run(["--signals", Signals(120), "--draws", "4", "--gt-fraction", "0.2", "--out", outPath]);

        var file = JsonNode.Parse(File.ReadAllText(outPath))!["files"]!.AsArray().Single()!;
        Assert.True((double)file["spearman"]!["mean"]! < 0.4);
        Assert.Equal(0, (int)file["draws_meeting_both_targets"]!);
    }

    [Fact]
    public void A_result_without_recorded_rounds_is_refused_by_name()
    {
        var path = Path.Combine(temp.Path, "noc.json");
        File.WriteAllText(path, """{"instances":[{"id":"007","iou":[0.5]}]}""");

        var error = Assert.Throws<InvalidDataException>(() => RankingCommand.Run(["--signals", path]));

        Assert.Contains("007", error.Message);
        Assert.Contains("quality", error.Message);
    }

    [Fact]
    public void A_round_without_its_true_iou_is_refused_naming_the_instance_and_the_field()
    {
        var path = Path.Combine(temp.Path, "broken.json");
        File.WriteAllText(path, """{"instances":[{"id":"042","quality":[{"round":1,"clicks":2,"mask_change_iou":0.9,"max_click_distance":4,"mean_click_distance":3}]}]}""");

        var error = Assert.Throws<InvalidDataException>(() => RankingCommand.Run(["--signals", path]));

        Assert.Contains("042", error.Message);
        Assert.Contains("true_iou", error.Message);
    }

    [Theory]
    [InlineData("--features", "score")]
    [InlineData("--gt-fraction", "1")]
    [InlineData("--draws", "0")]
    public void Bad_options_are_usage_errors_naming_the_option(string option, string value)
    {
        var error = Assert.Throws<UsageException>(() => RankingCommand.Run(["--signals", Signals(10), option, value]));
        Assert.Contains(option, error.Message);
    }
}
