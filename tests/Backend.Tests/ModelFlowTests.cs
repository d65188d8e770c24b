using Grains;
using Grains.Interfaces;
using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Tests;

namespace Backend.Tests;

/// <summary>The campaign flow with a model running in the silo (the fast generated reference model) on real images.</summary>
public sealed class ModelFlowTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public static InstanceImport DavisInstance(int index, string? id = null)
    {
        var gt = ImageCodec.ReadMask(TestData.DavisMask(index));
        var b = gt.BoundingBox()!.Value;
        return new InstanceImport(id ?? $"davis-{index:D3}", $"{index:D3}.jpg", gt.Width, gt.Height,
            new BoxD(b.X, b.Y, b.Right, b.Bottom), "object", GroundTruth: gt.ToWire());
    }

    async Task<ICampaignGrain> RunningCampaign(string campaignId, int rounds, params InstanceImport[] instances)
    {
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(campaignId);
        await campaign.Create(new CampaignSettings
        {
            Rounds = rounds, MaxClicksPerRound = 3, ShardCount = 2, ModelName = ModelNames.Reference,
            ImageRoot = Path.Combine(TestData.DavisDirectory, "img"),
        });
        await campaign.BeginImport();
        var result = await campaign.ImportInstances(instances);
        Assert.Empty(result.Rejected);
        await campaign.Start();
        return campaign;
    }

    async Task<InstanceView> WaitFor(IInstanceGrain instance, Func<InstanceView, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var view = await instance.GetState();
            if (condition(view)) return view;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Instance {view.Key} stayed {view.Status} in round {view.CurrentRound}.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Round_zero_runs_in_the_background_then_preview_submit_and_accept_finish_the_instance()
    {
        var campaignId = GrainTestHelpers.NewId("flow");
        var campaign = await RunningCampaign(campaignId, 2, DavisInstance(0, "a"), DavisInstance(1, "b"));
        var a = fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, "a"));
        var b = fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, "b"));

        // Round 0 happens without anyone asking: both instances get M_b's mask and wait for round 1.
        var viewA = await WaitFor(a, v => v.Status == InstanceStatus.Queued);
        await WaitFor(b, v => v.Status == InstanceStatus.Queued);
        Assert.Equal(0, Assert.Single(viewA.Masks).Round);
        var progress = await campaign.GetProgress();
        Assert.Equal(2, progress.Model.CompletedByRound[0]);
        Assert.Equal(0, progress.Model.Pending);
        Assert.NotNull(await a.GetGroundTruth());

        var annotatorId = GrainTestHelpers.NewId("ann");
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(annotatorId);
        await annotator.SetQualified(true);
        var work = (await annotator.RequestWork(campaignId))!;
        Assert.Equal(1, work.Round);
        Assert.NotNull(work.CurrentMask);
        var instance = fixture.Grains.GetGrain<IInstanceGrain>(work.InstanceKey);
        var gt = (await instance.GetGroundTruth())!.ToKernel().ToMask();
        var inside = FirstObjectPixel(gt);
        SubmittedClick[] clicks = [new(inside.X + 0.5, inside.Y + 0.5, ClickPolarity.Foreground)];

        var preview = await instance.Preview(annotatorId, 1, clicks);
        Assert.Equal(gt.Height, preview.Answer.Mask.Height);
        Assert.Null(MaskRleConversions.Problem(preview.Answer.Mask, gt.Height, gt.Width));
        Assert.Single((await instance.GetState()).Masks); // a preview stores nothing

        var result = await annotator.Submit(work.InstanceKey, new Submission("s1", annotatorId, 1, clicks, false, 3.5));
        Assert.Equal(SubmissionOutcome.NeedsModel, result.Outcome);
        var afterRound1 = await WaitFor(instance, v => v.Status == InstanceStatus.Queued && v.CurrentRound == 2);
        // The committed round gives exactly the previewed mask.
        Assert.Equal(preview.Answer.Mask, afterRound1.Masks.Single(m => m.Round == 1).Mask);

        // Another annotator takes round 2 of that instance and accepts it with zero clicks.
        var second = fixture.Grains.GetGrain<IAnnotatorGrain>(GrainTestHelpers.NewId("ann"));
        await second.SetQualified(true);
        WorkAssignment? round2 = null;
        for (var i = 0; i < 4 && round2?.InstanceKey != work.InstanceKey; i++)
        {
            round2 = await second.RequestWork(campaignId);
            if (round2 is not null && round2.InstanceKey != work.InstanceKey) await second.ReleaseWork();
        }
        Assert.Equal(work.InstanceKey, round2!.InstanceKey);
        Assert.Equal(2, round2.Round);
        var accepted = await second.Submit(work.InstanceKey, new Submission("s2", second.GetPrimaryKeyString(), 2, [], false, 1));
        Assert.Equal(InstanceStatus.Done, accepted.StatusAfter);
        Assert.Equal(1, (await campaign.GetProgress()).Done);
    }

    [Fact]
    public async Task A_mask_requested_before_its_answer_is_written_is_made_once_the_answer_is_in()
    {
        // A request can reach the model work before the answer it follows is written (a retried call, or an answer whose
        // write failed and is sent again); the model work must keep it, not drop it because the instance does not wait yet.
        var campaignId = GrainTestHelpers.NewId("early");
        var campaign = await RunningCampaign(campaignId, 2, DavisInstance(2, "a"));
        var instance = fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, "a"));
        await WaitFor(instance, v => v.Status == InstanceStatus.Queued);
        var annotatorId = GrainTestHelpers.NewId("ann");
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(annotatorId);
        await annotator.SetQualified(true);
        var work = (await annotator.RequestWork(campaignId))!;

        var modelWork = fixture.Grains.GetGrain<IModelWorkGrain>(AnnotationKeys.CampaignShard(campaignId, ShardMap.ShardOf("a", 2)));
        await modelWork.Request("a", 1);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await campaign.GetProgress()).Model.Pending);
        Assert.Single((await instance.GetState()).Masks);

        var gt = (await instance.GetGroundTruth())!.ToKernel().ToMask();
        var inside = FirstObjectPixel(gt);
        await annotator.Submit(work.InstanceKey, new Submission("s1", annotatorId, 1, [new(inside.X + 0.5, inside.Y + 0.5, ClickPolarity.Foreground)], false, 2));
        await WaitFor(instance, v => v.Status == InstanceStatus.Queued && v.CurrentRound == 2);
        var model = (await campaign.GetProgress()).Model;
        Assert.Equal((0, 1, 0), (model.Pending, model.CompletedByRound.GetValueOrDefault(1), model.Failed));
    }

    [Fact]
    public async Task A_preview_after_the_image_left_memory_rebuilds_the_same_state()
    {
        var campaignId = GrainTestHelpers.NewId("replay");
        await RunningCampaign(campaignId, 3, DavisInstance(2, "c"));
        var instance = fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, "c"));
        await WaitFor(instance, v => v.Status == InstanceStatus.Queued);
        var annotatorId = GrainTestHelpers.NewId("ann");
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(annotatorId);
        await annotator.SetQualified(true);
        await annotator.RequestWork(campaignId);
        var gt = (await instance.GetGroundTruth())!.ToKernel().ToMask();
        var p = FirstObjectPixel(gt);
        SubmittedClick[] round1 = [new(p.X + 0.5, p.Y + 0.5, ClickPolarity.Foreground), new(1.5, 1.5, ClickPolarity.Background)];
        await annotator.Submit(instance.GetPrimaryKeyString(), new Submission("r1", annotatorId, 1, round1, false, 2));
        await WaitFor(instance, v => v.Status == InstanceStatus.Queued && v.CurrentRound == 2);
        await annotator.RequestWork(campaignId);
        SubmittedClick[] tentative = [new(gt.Width - 2.5, gt.Height - 2.5, ClickPolarity.Background)];

        var warm = await instance.Preview(annotatorId, 2, tentative);
        await GrainTestHelpers.Deactivate(fixture.Grains.GetGrain<IImageGrain>(AnnotationKeys.Image(campaignId, "002.jpg")));
        var rebuilt = await instance.Preview(annotatorId, 2, tentative);

        Assert.True(rebuilt.Answer.Timing.ReplayedRounds >= 1, "the state after round 1 had to be rebuilt");
        Assert.Equal(warm.Answer.Mask, rebuilt.Answer.Mask);
    }

    static (int X, int Y) FirstObjectPixel(BinaryMask mask)
    {
        // The object pixel farthest from the background is a click an annotator would make.
        var distance = DistanceTransform.SquaredDistanceToOutside(mask);
        var best = 0;
        for (var i = 1; i < distance.Length; i++) if (distance[i] > distance[best]) best = i;
        return (best % mask.Width, best / mask.Width);
    }
}
