using Segmentation.Evaluation;
using Segmentation.Simulation;

namespace Segmentation.Tests.Evaluation;

public sealed class DesignStudyTests
{
    [Fact]
    public void Each_variant_changes_one_thing_from_the_baseline_and_shared_baselines_run_once()
    {
        var variants = DesignStudy.Variants(new ProtocolSettings { Seed = 4 });
        var baseline = variants[0].Settings;

        Assert.Equal(3, baseline.Rounds);
        Assert.Equal(3, baseline.ClicksPerRound);
        Assert.Equal(ClickStrategy.Center, baseline.Clicks.Strategy);
        Assert.All(variants, v => Assert.Equal(4, v.Settings.Seed));
        foreach (var v in variants)
        {
            var differences = new[]
            {
                v.Settings.Rounds != baseline.Rounds || v.Settings.ClicksPerRound != baseline.ClicksPerRound,
                v.Settings.Clicks.Strategy != baseline.Clicks.Strategy,
                v.Settings.Clicks.NoiseSigmaPx != baseline.Clicks.NoiseSigmaPx,
                v.Settings.Clicks.MinRegionThicknessPx != baseline.Clicks.MinRegionThicknessPx,
            }.Count(d => d);
            Assert.True(differences <= 1, $"{v.Study} {v.Label} changes {differences} things");
        }
        Assert.Equal(["1x9", "3x3", "4x2", "5x2", "2x5", "4x3"], variants.Where(v => v.Study == DesignStudy.Schedule).Select(v => v.Label));
        var twenty = variants.Single(v => v.Study == DesignStudy.MinRegion && v.Label == "20 px").Settings.Clicks;
        Assert.Equal(400, twenty.MinRegionArea);
        Assert.Equal(20, twenty.MinRegionThicknessPx);
        // The baseline appears in four studies and is run once: 14 settings, 11 runs.
        Assert.Equal(14, variants.Count);
        Assert.Equal(11, DesignStudy.DistinctSettings(variants).Count);
    }

    [Fact]
    public void The_tables_give_every_setting_a_row_and_the_plot_a_curve_per_setting()
    {
        var variants = DesignStudy.Variants(new ProtocolSettings());
        var report = new EvaluationReport("m", variants[0].Settings,
            [new InstanceResult("a", [0.7, 0.8, 0.85, 0.9], [0.6, 0.7, 0.75, 0.8], [0, 3, 2, 1], null, [])], [], TimeSpan.Zero);

        var outcomes = variants.Select(v => StudyOutcome.Of(v, report)).ToArray();
        var tables = DesignStudy.Tables(outcomes);
        var figures = DesignStudy.Figures(outcomes, "m", 1).ToArray();
        var readBack = DesignStudy.FromJson(DesignStudy.Json(outcomes), variants);

        Assert.Contains("| 5x2 | 6.00 | 0.7000 |", tables);
        Assert.Equal(DesignStudy.Studies, figures.Select(f => f.Study));
        Assert.Equal(6, figures.Single(f => f.Study == DesignStudy.Schedule).Svg.Split("<polyline").Length - 1);
        Assert.Equal(tables, DesignStudy.Tables(readBack));
    }
}
