using System.Text;
using System.Text.Json.Nodes;
using Segmentation.Evaluation.Datasets;
using Segmentation.Simulation;
using Segmentation.Tests.Datasets;
using Simulator.Campaign;

namespace Segmentation.Tests.Campaign;

/// <summary>The report's ranking and budget sections from known figures, checked against hand-computed values.</summary>
public sealed class RankingAndBudgetSummaryTests : IDisposable
{
    private readonly TempFolder temp = new();
    private readonly CampaignPlan plan;

    public RankingAndBudgetSummaryTests()
    {
        var images = temp.Folder("img");
        var masks = temp.Folder("gt");
        foreach (var name in new[] { "a", "b", "c", "d", "e", "f", "g" })
        {
            DatasetFiles.RgbPng(Path.Combine(images, name + ".png"), 40, 30);
            DatasetFiles.GreyPng(Path.Combine(masks, name + ".png"), 40, 30, (x, y) => x is >= 10 and < 30 && y is >= 5 and < 25 ? (byte)255 : (byte)0);
        }
        plan = CampaignPlan.Build(PairedFolderDataset.Load(images, masks).Instances, images, 1, new NoisyBoxSimulatorOptions(), rounds: 1);
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7"], plan.Instances.Select(i => i.InstanceId));
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Ranking_figures_cover_held_out_instances_with_a_prediction_and_an_exported_mask()
    {
        // Exported IoU per instance id; 4 has no exported mask, 7 no prediction, 6 trained the model.
        var exported = Results(("1", 0.8), ("2", 0.6), ("3", 0.9), ("4", null), ("5", 0.4), ("6", 1.0), ("7", 0.99));
        var snapshot = new RankingSnapshot(4, [
                Item("4", 0.95), Item("1", 0.9), Item("3", 0.7), Item("2", 0.5), Item("5", 0.3), Item("6", 0.1, training: true),
            ],
            new RankingModelDto(4, 30, 28, [new FeatureImportanceDto("f3", "mask change", 0.6), new FeatureImportanceDto("f1", "clicks", 0.4)]),
            new JsonObject { ["modelVersion"] = 4 });

        var ranking = RankingSummary.From(exported, snapshot);
        var json = ranking.ToJson();

        // Held out: 1, 2, 3, 5. Ranks by prediction 4, 2, 3, 1; by true IoU 3, 2, 4, 1; sum of d^2 = 2,
        // so Spearman = 1 - 6 * 2 / (4 * (16 - 1)) = 0.8.
        Assert.Equal(0.8, (double)json["spearman"]!, 12);
        Assert.Equal((4, 1, 4), ((int)json["instances"]!, (int)json["training_instances"]!, (int)json["model_version"]!));
        Assert.Equal((30, 28), ((int)json["model_examples"]!, (int)json["trained_on_examples"]!));
        // Best predicted first: 1 (0.8), 3 (0.9), 2 (0.6), 5 (0.4); the top N% is the first ceil(4 N / 100).
        var top = json["top_percent_miou"]!.AsObject();
        Assert.Equal(["10", "20", "30", "40", "50", "60", "70", "80", "90", "100"], top.Select(p => p.Key));
        Assert.Equal([0.8, 0.8, 0.85, 0.85, 0.85, 0.7667, 0.7667, 0.675, 0.675, 0.675], top.Select(p => (double)p.Value!));
        Assert.Equal(0.675, (double)json["all_miou"]!);
        Assert.Equal("""{"f3":0.6,"f1":0.4}""", json["feature_importances"]!.ToJsonString());
        Assert.Equal("""{"modelVersion":4}""", json["server_curve"]!.ToJsonString());

        var table = new StringBuilder();
        ranking.AppendTable(table);
        Assert.Contains("Spearman 0.8000", table.ToString(), StringComparison.Ordinal);
        Assert.Contains("30%", table.ToString(), StringComparison.Ordinal);

        var svg = RankingCurvePlot.Svg(ranking, "c1");
        Assert.Equal(10, svg.Split("<circle").Length - 1);
        Assert.Contains("all 0.6750", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_model_the_ranking_has_no_figures()
    {
        var ranking = RankingSummary.From(Results(("1", 0.8)), new RankingSnapshot(0, [], new RankingModelDto(0, 3, 0, []), new JsonObject()));
        var json = ranking.ToJson();
        Assert.Null(json["spearman"]);
        Assert.Null(json["all_miou"]);
        Assert.Empty(json["top_percent_miou"]!.AsObject());
        Assert.Equal(0, (int)json["instances"]!);
        Assert.Contains("<svg", RankingCurvePlot.Svg(ranking, "c1"), StringComparison.Ordinal);
    }

    [Fact]
    public void Budget_figures_compare_each_strategys_export_before_and_after_its_extra_rounds()
    {
        var before = Results(("1", 0.5), ("2", 0.7), ("3", 0.9), ("4", null), ("5", 0.6), ("6", 0.8), ("7", 0.75));
        // mean over the six exported masks: (0.5 + 0.7 + 0.9 + 0.6 + 0.8 + 0.75) / 6 = 0.7083
        var rankedAfter = Export(("1", 0.8), ("2", 0.7), ("3", 0.9), ("4", null), ("5", 0.9), ("6", 0.8), ("7", 0.75)); // 4.85 / 6
        var queueAfter = Export(("1", 0.5), ("2", 0.75), ("3", 0.9), ("4", null), ("5", 0.6), ("6", 0.8), ("7", 0.75)); // 4.3 / 6
        var summary = new BudgetSummary(30, 9, [
            new BudgetRun(Campaign(before), Outcome(BudgetStrategy.Ranked, "c-ranked", rankedAfter, spent: 17, granted: 6, finished: 6)),
            new BudgetRun(Campaign(before), Outcome(BudgetStrategy.Queue, "c-queue", queueAfter, spent: 28, granted: 10, finished: 10)),
        ]);

        var json = summary.ToJson();

        Assert.Equal((30, 9), ((int)json["extra_clicks"]!, (int)json["seed"]!));
        Assert.Equal(0.7083, (double)json["before_miou"]!);
        Assert.Equal(0.8083, (double)json["ranked_miou"]!);
        Assert.Equal(0.7167, (double)json["queue_miou"]!);
        Assert.False(json.ContainsKey("random_miou"));
        var ranked = json["details"]!["ranked"]!;
        Assert.Equal("c-ranked", (string)ranked["campaign"]!);
        Assert.Equal(0.8083, (double)ranked["miou"]!);
        Assert.Equal((17, 6, 6, 2), ((int)ranked["clicks_spent"]!, (int)ranked["rounds_granted"]!, (int)ranked["rounds_finished"]!,
            (int)ranked["instances_changed"]!)); // 1 and 5
        Assert.Equal("the budget cannot pay for another round", (string)ranked["stop_reason"]!);
        Assert.Equal(1, (int)json["details"]!["queue"]!["instances_changed"]!);

        var table = new StringBuilder();
        summary.AppendTable(table);
        Assert.Contains("0.7083 ->   0.8083  +0.1000", table.ToString(), StringComparison.Ordinal);
    }

    private IReadOnlyList<CampaignInstanceResult> Results(params (string Id, double? IoU)[] figures) =>
        figures.Select(f => new CampaignInstanceResult(plan.Find(f.Id)!, [null, f.IoU], [0, 0], f.IoU, f.IoU, "done")).ToArray();

    private IReadOnlyList<ExportScore> Export(params (string Id, double? IoU)[] figures) =>
        figures.Select(f => new ExportScore(plan.Find(f.Id)!, f.IoU, f.IoU, "done")).ToArray();

    private static RankedInstanceDto Item(string id, double predicted, bool training = false) =>
        new(id, 1, predicted, "done", null, training, 0);

    private static CampaignResult Campaign(IReadOnlyList<CampaignInstanceResult> instances) => new(
        new CampaignOptions { Api = new Uri("http://s/"), ImagesDir = "img", CampaignId = "c" }, instances, [], new MeasurementLog(), 0,
        TimeSpan.FromSeconds(1), new ProgressDto("c", "running", instances.Count, null, [], instances.Count, 0, 0, true));

    private static ExtraRoundsOutcome Outcome(BudgetStrategy strategy, string campaign, IReadOnlyList<ExportScore> after, int spent, int granted, int finished) =>
        new(strategy, campaign,
            new ExtraRoundsDto(30, strategy.Name(), 9, 1, false, spent, 0, granted, finished, "the budget cannot pay for another round"),
            after, finished, spent, finished, TimeSpan.FromSeconds(2));
}
