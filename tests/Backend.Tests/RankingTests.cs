using Grains;
using Grains.Interfaces;
using Segmentation.Masks;
using static Backend.Tests.GrainTestHelpers;

namespace Backend.Tests;

/// <summary>M_r on a test cluster: ground-truth instances train it as their rounds finish; later rounds get a predicted IoU.</summary>
public sealed class RankingTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    const int Width = GrainTestHelpers.CanvasWidth, Height = GrainTestHelpers.CanvasHeight;

    /// <summary>
    /// A one-round campaign of <paramref name="count"/> ground-truth instances, each answered with one click whose distance
    /// from the mask tells how much the new mask shrinks. With <paramref name="modelScores"/> each model mask comes with a score.
    /// </summary>
    async Task<string> RunOneRoundCampaign(int count, bool modelScores)
    {
        var campaignId = GrainTestHelpers.NewId("rank");
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(campaignId);
        await campaign.Create(new CampaignSettings
        {
            Rounds = 1, ShardCount = 1, ModelName = ModelNames.External, GroundTruthFraction = 1,
        });
        await campaign.BeginImport();
        var truth = Rect(10, 5, 30, 25);
        await campaign.ImportInstances(Enumerable.Range(0, count).Select(i =>
            new InstanceImport($"i{i:D2}", "a.jpg", Width, Height, new BoxD(10, 5, 30, 25), "box", GroundTruth: truth.ToWire())).ToArray());
        await campaign.Start();

        var annotatorId = GrainTestHelpers.NewId("ann");
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(annotatorId);
        await annotator.SetQualified(true);
        for (var i = 0; i < count; i++)
        {
            var instance = fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, $"i{i:D2}"));
            await instance.SetModelMask(0, Rect(12, 7, 28, 23).ToWire(), modelScores ? 0.7 : null);
        }
        for (var i = 0; i < count; i++)
        {
            var work = await annotator.RequestWork(campaignId);
            var instance = fixture.Grains.GetGrain<IInstanceGrain>(work!.InstanceKey);
            // The further the click from the mask, the worse the new mask: a quality signal for the forest.
            var k = int.Parse(work.InstanceKey[^2..]);
            var shrink = k % 6;
            await annotator.Submit(work.InstanceKey, new Submission($"s{k}", annotatorId, 1,
                [new SubmittedClick(11.5 - shrink, 15.5, ClickPolarity.Foreground)], false, 1));
            await instance.SetModelMask(1, Rect(10 + shrink * 2, 5, 30, 25 - shrink * 2).ToWire(), modelScores ? 0.95 - 0.05 * shrink : null);
        }
        return campaignId;
    }

    [Fact]
    public async Task Ground_truth_rounds_train_the_model_and_later_rounds_are_scored()
    {
        const int count = 30;
        var campaignId = await RunOneRoundCampaign(count, modelScores: false);

        var summary = await fixture.Grains.GetGrain<IRankingGrain>(campaignId).GetSummary();
        Assert.Equal(count, summary.Examples);
        Assert.True(summary.ModelVersion >= 1);
        Assert.Equal(1, summary.FeatureImportances.Values.Sum(), 6);

        // Retrained at 20 and 26 examples; once examples stop arriving the model catches up with all 30.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((summary = await fixture.Grains.GetGrain<IRankingGrain>(campaignId).GetSummary()).TrainedOnExamples < count && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.Equal(count, summary.TrainedOnExamples);

        // The ranking scores every finished round with the current model, also those finished before the first training.
        var page = await fixture.Grains.GetGrain<IQualityIndexGrain>(AnnotationKeys.CampaignShard(campaignId, 0)).Ranked(100, worstFirst: true);
        Assert.Equal(count, page.Total);
        Assert.Equal(summary.ModelVersion, page.ModelVersion);
        Assert.All(page.Items, r => Assert.InRange(r.PredictedIoU!.Value, 0, 1));
        Assert.Contains(page.Items, r => r.InstanceId == "i00");
        // Worst first, and the forest learned that the shrunken masks are the bad ones.
        Assert.Equal(page.Items.Select(r => r.PredictedIoU).Order(), page.Items.Select(r => r.PredictedIoU));
        Assert.True(page.Items[0].TrueIoU < page.Items[^1].TrueIoU, $"worst-ranked true IoU {page.Items[0].TrueIoU}, best-ranked {page.Items[^1].TrueIoU}");
    }

    [Fact]
    public async Task The_model_score_joins_the_signals_only_when_every_mask_has_one()
    {
        var withScores = await RunOneRoundCampaign(24, modelScores: true);
        var withoutScores = await RunOneRoundCampaign(24, modelScores: false);

        var scored = await fixture.Grains.GetGrain<IRankingGrain>(withScores).GetSummary();
        var paper = await fixture.Grains.GetGrain<IRankingGrain>(withoutScores).GetSummary();

        Assert.True(scored.ModelVersion >= 1 && paper.ModelVersion >= 1);
        Assert.Contains("model_score", scored.FeatureImportances.Keys);
        Assert.DoesNotContain("model_score", paper.FeatureImportances.Keys);
        Assert.Equal(5, paper.FeatureImportances.Count);
        var page = await fixture.Grains.GetGrain<IQualityIndexGrain>(AnnotationKeys.CampaignShard(withScores, 0)).Ranked(100, worstFirst: true);
        Assert.Equal(24, page.Total);
        Assert.True(page.Items[0].TrueIoU < page.Items[^1].TrueIoU, $"worst-ranked true IoU {page.Items[0].TrueIoU}, best-ranked {page.Items[^1].TrueIoU}");
    }

    [Fact]
    public async Task A_model_score_that_is_not_a_number_is_refused_and_changes_nothing()
    {
        var campaignId = GrainTestHelpers.NewId("rank");
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(campaignId);
        await campaign.Create(new CampaignSettings { Rounds = 1, ShardCount = 1, ModelName = ModelNames.External });
        await campaign.BeginImport();
        await campaign.ImportInstances([new InstanceImport("i00", "a.jpg", Width, Height, new BoxD(10, 5, 30, 25), "box")]);
        await campaign.Start();
        var instance = fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, "i00"));

        var error = await Assert.ThrowsAsync<AnnotationRejectedException>(() => instance.SetModelMask(0, Rect(12, 7, 28, 23).ToWire(), double.NaN));

        Assert.Equal("modelScore", error.Field);
        var view = await instance.GetState();
        Assert.Empty(view.Masks);
        Assert.Equal(InstanceStatus.WaitingForModel, view.Status);
    }

    [Fact]
    public void Training_instances_are_a_stable_fraction_of_the_ids()
    {
        var ids = Enumerable.Range(0, 10000).Select(i => $"inst-{i}").ToArray();
        var chosen = ids.Count(id => InstanceGrain.IsTrainingInstance(id, 0.1));
        Assert.InRange(chosen, 900, 1100);
        Assert.Equal(chosen, ids.Count(id => InstanceGrain.IsTrainingInstance(id, 0.1)));
        Assert.Equal(0, ids.Count(id => InstanceGrain.IsTrainingInstance(id, 0)));
        Assert.Equal(ids.Length, ids.Count(id => InstanceGrain.IsTrainingInstance(id, 1)));
    }
}
