using Segmentation.Ranking;

namespace Segmentation.Tests.Ranking;

public sealed class RankingStudyTests
{
    /// <summary>Instances whose final mask's IoU is told by the mask change (plus small noise), with two rounds each.</summary>
    static StudyInstance[] Campaign(int count, int seed, bool signalTellsQuality)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var change = random.NextDouble();
            var iou = signalTellsQuality ? Math.Clamp(0.4 + 0.5 * change + 0.02 * (random.NextDouble() - 0.5), 0, 1) : random.NextDouble();
            var first = new QualityExample(new QualityFeatures(4, 1, random.NextDouble(), 30, 20), random.NextDouble());
            var last = new QualityExample(new QualityFeatures(4, 2, change, 10, 5), iou);
            return new StudyInstance($"i{i}", [first, last]);
        }).ToArray();
    }

    [Fact]
    public void A_signal_that_tells_the_quality_ranks_the_held_out_masks_well_in_every_draw()
    {
        var draws = RankingStudy.Run(Campaign(200, 1, signalTellsQuality: true), new RankingStudyOptions { GroundTruthFraction = 0.2, Draws = 5 });

        Assert.Equal(5, draws.Count);
        Assert.All(draws, d =>
        {
            Assert.True(d.Trained);
            Assert.Equal(40, d.TrainingInstances);
            Assert.Equal(80, d.TrainingExamples);
            Assert.Equal(160, d.HeldOut);
            Assert.True(d.Spearman > 0.9, $"draw {d.Draw}: Spearman {d.Spearman}");
            Assert.True(d.TopPercentGain(50) > 0.05, $"draw {d.Draw}: top-50% gain {d.TopPercentGain(50)}");
        });
    }

    [Fact]
    public void Signals_unrelated_to_quality_give_no_ranking()
    {
        var draws = RankingStudy.Run(Campaign(300, 2, signalTellsQuality: false), new RankingStudyOptions { GroundTruthFraction = 0.2, Draws = 5 });

        Assert.True(Math.Abs(draws.Average(d => d.Spearman)) < 0.15, $"mean Spearman {draws.Average(d => d.Spearman)}");
    }

    [Fact]
    public void Draws_differ_from_each_other_and_repeat_for_the_same_seed()
    {
        var campaign = Campaign(100, 3, signalTellsQuality: true);
        var options = new RankingStudyOptions { GroundTruthFraction = 0.2, Draws = 3, Seed = 7 };

        var first = RankingStudy.Run(campaign, options);
        var again = RankingStudy.Run(campaign, options);

        Assert.Equal(first.Select(d => d.Spearman), again.Select(d => d.Spearman));
        Assert.Equal(first.Select(d => d.AllMeanIoU), again.Select(d => d.AllMeanIoU));
        Assert.NotEqual(first[0].AllMeanIoU, first[1].AllMeanIoU); // other held-out instances
    }

    [Fact]
    public void A_draw_with_too_few_training_rounds_has_no_model()
    {
        // 5% of 100 instances with 2 rounds each: 10 training rounds, fewer than the backend's 20.
        var draws = RankingStudy.Run(Campaign(100, 4, signalTellsQuality: true), new RankingStudyOptions { GroundTruthFraction = 0.05, Draws = 2 });

        Assert.All(draws, d =>
        {
            Assert.False(d.Trained);
            Assert.Equal(10, d.TrainingExamples);
            Assert.True(double.IsNaN(d.Spearman));
            Assert.True(double.IsNaN(d.TopPercentGain(70)));
        });
    }

    [Fact]
    public void The_model_score_baseline_ranks_by_the_score_alone_and_is_absent_without_scores()
    {
        var plain = Campaign(60, 7, signalTellsQuality: true);
        var scored = plain.Select(i => i with
        {
            Rounds = i.Rounds.Select(r => r with { Features = r.Features with { ModelScore = r.TrueIoU } }).ToArray(),
        }).ToArray();
        // Too little ground truth for a model: the baseline needs none.
        var options = new RankingStudyOptions { GroundTruthFraction = 0.05, Draws = 2 };

        var withScores = RankingStudy.Run(scored, options);
        var withoutScores = RankingStudy.Run(plain, options);

        Assert.All(withScores, d =>
        {
            Assert.False(d.Trained);
            Assert.Equal(1, d.ModelScoreSpearman, 9);
            Assert.True(d.ModelScoreTopPercentGain(70) > 0);
        });
        Assert.All(withoutScores, d =>
        {
            Assert.True(double.IsNaN(d.ModelScoreSpearman));
            Assert.True(double.IsNaN(d.ModelScoreTopPercentGain(70)));
        });
    }

    [Fact]
    public void Instances_without_a_finished_round_are_left_out()
    {
        var campaign = Campaign(50, 5, signalTellsQuality: true).Append(new StudyInstance("never-annotated", [])).ToArray();

        var draw = Assert.Single(RankingStudy.Run(campaign, new RankingStudyOptions { GroundTruthFraction = 0.4, Draws = 1 }));

        Assert.Equal(20, draw.TrainingInstances);
        Assert.Equal(30, draw.HeldOut);
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        var campaign = Campaign(20, 6, signalTellsQuality: true);
        Assert.Throws<ArgumentOutOfRangeException>(() => RankingStudy.Run(campaign, new RankingStudyOptions { GroundTruthFraction = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankingStudy.Run(campaign, new RankingStudyOptions { GroundTruthFraction = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankingStudy.Run(campaign, new RankingStudyOptions { Draws = 0 }));
        Assert.Throws<ArgumentException>(() => RankingStudy.Run([new StudyInstance("only", [])], new RankingStudyOptions()));
    }
}
