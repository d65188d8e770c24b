using System.Globalization;
using System.Text.Json.Nodes;
using Segmentation.Masks;
using Segmentation.Simulation;
using Segmentation.Tests.Datasets;
using Segmentation.Tests.Evaluation;
using Simulator.Campaign;

namespace Segmentation.Tests.Campaign;

/// <summary>The campaign command with a ground-truth fraction and an extra-click budget, against <see cref="BudgetCampaignServer"/>.</summary>
[Collection(nameof(ConsoleOutput))]
public sealed class CampaignBudgetRunTests : IDisposable
{
    private const int Width = OneObjectDataset.Width, Height = OneObjectDataset.Height, Seed = 5;
    private static readonly RetryPolicy FastRetry = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100));
    private static readonly BinaryMask Truth = OneObjectDataset.Truth;

    // Each mask is off by at least one strip of 600+ pixels, so the simulated annotator always clicks.
    private static readonly BinaryMask AfterBox = Rect(35, 20, 95, 80);
    private static readonly BinaryMask AfterRound1 = Rect(20, 20, 80, 60);
    private static readonly BinaryMask AfterExtra1 = Rect(20, 20, 80, 70);

    private readonly OneObjectDataset data = new();

    private string images => data.Images;
    private string masks => data.Masks;

    public void Dispose() => data.Dispose();

    [Fact]
    public void Each_strategy_runs_its_own_campaign_with_the_same_seed_and_spends_the_budget_on_rounds_after_the_regular_ones()
    {
        var server = new BudgetCampaignServer(1, AfterBox, AfterRound1, AfterExtra1, Truth);

        var (report, outPath) = Run(server, "--gt-fraction", "0.5", "--reprioritize-below", "0.4", "--extra-clicks", "9",
            "--budget-strategies", "ranked,queue", "--extra-rounds-per-instance", "2");

        Assert.Equal(["c1-ranked", "c1-queue"], server.Campaigns.Keys);
        var ranked = server.Campaigns["c1-ranked"];
        var queue = server.Campaigns["c1-queue"];
        foreach (var c in new[] { ranked, queue })
        {
            Assert.Equal((0.5, 0.4), ((double)c.Create["groundTruthFraction"]!, (double)c.Create["reprioritizeBelowIoU"]!));
            var segmentation = c.Import!["annotations"]![0]!["segmentation"]!;
            Assert.Equal([Height, Width], segmentation["size"]!.AsArray().Select(v => (int)v!));
            Assert.Equal(Truth, CocoRle.Decode((string)segmentation["counts"]!, Height, Width));
        }
        Assert.Equal(ranked.Import!.ToJsonString(), queue.Import!.ToJsonString()); // the same noisy box

        // The ranking is read from the first campaign only, before its extra rounds, once the model has taken in every example.
        Assert.Equal(["model", "?order=best&offset=0&limit=1000", "model", "curve"], ranked.RankingQueries);
        Assert.Empty(queue.RankingQueries);
        Assert.Equal("""{"clicks":9,"strategy":"ranked","seed":5,"maxRoundsPerInstance":2}""", ranked.ExtraRequest!.ToJsonString());
        Assert.Equal("queue", (string)queue.ExtraRequest!["strategy"]!);

        // Round 1, then the extra rounds 2 and 3, answered from the instance's stream after the box; each campaign the same.
        var rng = GaussianRandom.ForInstance(Seed, "a");
        new NoisyBoxSimulator().Draw(NoisyBoxSimulator.TightBox(Truth), Width, Height, rng);
        var simulator = new ClickSimulator();
        var expected = new[] { AfterBox, AfterRound1, AfterExtra1 }.Select(m => simulator.CorrectiveClicks(Truth, m, 3, rng)).ToArray();
        foreach (var c in new[] { ranked, queue })
        {
            Assert.Equal([1, 2, 3], c.Submissions.Select(s => (int)s["round"]!));
            Assert.Equal(expected.Select(e => e.Count), c.Submissions.Select(s => s["clicks"]!.AsArray().Count));
            Assert.Equal(expected[1].Select(k => k.X), c.Submissions[1]["clicks"]!.AsArray().Select(k => (double)k!["x"]!));
        }
        Assert.All(expected, e => Assert.NotEmpty(e));

        // The regular rounds of the first campaign, untouched by its extra rounds.
        var summary = report["summary"]!;
        Assert.Equal("c1-ranked", (string)summary["campaign"]!);
        var before = Math.Round(MaskMetrics.IoU(AfterRound1, Truth), 4);
        Assert.Equal([Math.Round(MaskMetrics.IoU(AfterBox, Truth), 4), before], Numbers(summary["miou_per_round"]));
        Assert.Equal(before, (double)summary["export_miou"]!);
        Assert.Equal(expected[0].Count, (int)summary["total_clicks"]!);
        Assert.Equal([0, expected[0].Count], report["instances"]![0]!["clicks"]!.AsArray().Select(c => (int)c!));

        var budget = report["budget"]!;
        Assert.Equal((9, Seed), ((int)budget["extra_clicks"]!, (int)budget["seed"]!));
        Assert.Equal(before, (double)budget["before_miou"]!);
        Assert.Equal(1.0, (double)budget["ranked_miou"]!);
        Assert.Equal(1.0, (double)budget["queue_miou"]!);
        Assert.Null(budget["random_miou"]);
        var details = budget["details"]!.AsObject();
        Assert.Equal(["ranked", "queue"], details.Select(d => d.Key));
        var spent = expected[1].Count + expected[2].Count;
        foreach (var (strategy, node) in details)
        {
            var d = node!;
            Assert.Equal("c1-" + strategy, (string)d["campaign"]!);
            Assert.Equal((1.0, 1.0), ((double)d["miou"]!, (double)d["boundary_f"]!));
            Assert.Equal((spent, 2, 2, 1), ((int)d["clicks_spent"]!, (int)d["rounds_granted"]!, (int)d["rounds_finished"]!, (int)d["instances_changed"]!));
            Assert.Equal("no instance is left to give an extra round", (string)d["stop_reason"]!);
            Assert.Equal((2, spent), ((int)d["annotator_rounds"]!, (int)d["annotator_clicks"]!));
        }

        var ranking = report["ranking"]!;
        Assert.Equal((1, 0, 3), ((int)ranking["instances"]!, (int)ranking["training_instances"]!, (int)ranking["model_version"]!));
        Assert.Null(ranking["spearman"]); // one instance: undefined
        Assert.Equal(before, (double)ranking["all_miou"]!);
        Assert.Equal(Enumerable.Repeat(before, 10), ranking["top_percent_miou"]!.AsObject().Select(p => (double)p.Value!));
        Assert.Equal("""{"f3":0.75,"f1":0.25}""", ranking["feature_importances"]!.ToJsonString());
        Assert.Equal(BudgetCampaignServer.Curve.ToJsonString(), ranking["server_curve"]!.ToJsonString());

        var svg = File.ReadAllText(Path.ChangeExtension(outPath, null) + "-ranking.svg");
        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("stroke-dasharray", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_budget_one_campaign_runs_and_its_ranking_is_reported()
    {
        var server = new BudgetCampaignServer(1, AfterBox, AfterRound1);

        var (report, _) = Run(server, "--gt-fraction", "0.5");

        var c = Assert.Single(server.Campaigns.Values);
        Assert.Equal("c1", c.Id);
        Assert.Null(c.ExtraRequest);
        Assert.NotNull(c.Import!["annotations"]![0]!["segmentation"]);
        Assert.Equal(3, (int)report["ranking"]!["model_version"]!);
        Assert.Null(report["budget"]);
        // With ground truth the annotators are judged: the server's (empty) quality table is read once and reported.
        Assert.Equal(1, c.QualityReads);
        Assert.Empty(report["quality"]!["flagged_annotators"]!.AsArray());
    }

    [Fact]
    public void Without_ground_truth_the_import_has_no_segmentation_and_there_is_no_ranking()
    {
        var server = new BudgetCampaignServer(1, AfterBox, AfterRound1, AfterExtra1);

        var (report, outPath) = Run(server, "--extra-clicks", "3", "--budget-strategies", "random");

        var c = Assert.Single(server.Campaigns.Values);
        Assert.Equal("c1-random", c.Id);
        Assert.Equal(0.0, (double)c.Create["groundTruthFraction"]!);
        Assert.Null(c.Import!["annotations"]![0]!["segmentation"]);
        Assert.Empty(c.RankingQueries);
        Assert.Equal(0, c.QualityReads);
        Assert.Null(report["ranking"]);
        Assert.Null(report["quality"]);
        Assert.False(File.Exists(Path.ChangeExtension(outPath, null) + "-ranking.svg"));
        Assert.Equal(Math.Round(MaskMetrics.IoU(AfterExtra1, Truth), 4), (double)report["budget"]!["random_miou"]!);
        Assert.Equal("the budget cannot pay for another round", (string)report["budget"]!["details"]!["random"]!["stop_reason"]!);
    }

    [Fact]
    public void A_ranked_spending_refused_for_lack_of_a_model_says_the_ground_truth_fraction_was_too_small()
    {
        var server = new BudgetCampaignServer(1, AfterBox, AfterRound1, Truth) { NoModel = true };

        var error = Assert.Throws<CampaignFailedException>(() => Run(server, "--gt-fraction", "0.1", "--extra-clicks", "6"));

        Assert.Contains("too few", error.Message, StringComparison.Ordinal);
        Assert.Contains("--gt-fraction", error.Message, StringComparison.Ordinal);
        Assert.Contains("409", error.Message, StringComparison.Ordinal);
        Assert.Equal(["c1-ranked"], server.Campaigns.Keys); // the other strategies did not start
    }

    private (JsonNode Report, string OutPath) Run(BudgetCampaignServer server, params string[] options)
    {
        var outPath = Path.Combine(data.Folder, $"campaign-{Guid.NewGuid():N}.json");
        string[] args =
        [
            "--api", "http://campaign.test/", "--images", images, "--masks", masks, "--campaign", "c1", "--rounds", "1", "--clicks", "3",
            "--seed", Seed.ToString(CultureInfo.InvariantCulture), "--annotators", "2", "--no-preview", "--out", outPath, "--timeout-minutes", "1", .. options,
        ];
        Assert.Equal(0, CampaignCommand.Run(args, server, FastRetry));
        return (JsonNode.Parse(File.ReadAllText(outPath))!, outPath);
    }

    private static double[] Numbers(JsonNode? array) => array!.AsArray().Select(v => (double)v!).ToArray();

    private static BinaryMask Rect(int x0, int y0, int x1, int y1) => OneObjectDataset.Rect(x0, y0, x1, y1);
}
