using Grains;
using Grains.Interfaces;
using Segmentation.Masks;
using static Backend.Tests.GrainTestHelpers;

namespace Backend.Tests;

public sealed class CampaignGrainTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    ICampaignGrain NewCampaign() => fixture.Grains.GetGrain<ICampaignGrain>(NewId("c"));

    [Fact]
    public async Task Settings_have_the_paper_defaults()
    {
        var info = await NewCampaign().Create(new CampaignSettings());

        Assert.Equal(CampaignStatus.Draft, info.Status);
        Assert.Equal(3, info.Settings.Rounds);
        Assert.Equal(4, info.Settings.MaxClicksPerRound);
    }

    [Fact]
    public async Task Lifecycle_moves_forward_and_pauses_and_refuses_invalid_transitions()
    {
        var campaign = NewCampaign();
        await AssertRefused(campaign.Start()); // before Create
        await campaign.Create(new CampaignSettings { ClassPolicies = new() { ["cat"] = "Whole cat, whiskers excluded." } });

        await AssertRefused(campaign.Start());
        await AssertRefused(campaign.Pause());
        await AssertRefused(campaign.Finish());
        Assert.Equal(CampaignStatus.Importing, (await campaign.BeginImport()).Status);
        await AssertRefused(campaign.UpdateSettings(new CampaignSettings()));
        await AssertRefused(campaign.Resume());
        Assert.Equal(CampaignStatus.Running, (await campaign.Start()).Status);
        await AssertRefused(campaign.BeginImport());
        Assert.Equal(CampaignStatus.Paused, (await campaign.Pause()).Status);
        await AssertRefused(campaign.Start());
        Assert.Equal(CampaignStatus.Running, (await campaign.Resume()).Status);
        Assert.Equal(CampaignStatus.Paused, (await campaign.Pause()).Status);
        Assert.Equal(CampaignStatus.Finished, (await campaign.Finish()).Status);
        await AssertRefused(campaign.Resume());
        await AssertRefused(campaign.Pause());

        await Deactivate(campaign);
        var info = await campaign.GetInfo();
        Assert.Equal(CampaignStatus.Finished, info.Status);
        Assert.Equal("Whole cat, whiskers excluded.", info.Settings.ClassPolicies["cat"]);
    }

    [Fact]
    public async Task Invalid_settings_are_rejected()
    {
        var campaign = NewCampaign();
        foreach (var (settings, field) in new (CampaignSettings, string)[]
        {
            (new CampaignSettings { Rounds = 0 }, "rounds"),
            (new CampaignSettings { MaxClicksPerRound = 0 }, "maxClicksPerRound"),
            (new CampaignSettings { ShardCount = 0 }, "shardCount"),
            (new CampaignSettings { LeaseDuration = TimeSpan.Zero }, "leaseDuration"),
            (new CampaignSettings { ModelName = "" }, "modelName"),
        })
        {
            var e = await Assert.ThrowsAsync<AnnotationRejectedException>(() => campaign.Create(settings));
            Assert.Equal(field, e.Field);
        }
        Assert.Equal(CampaignStatus.None, (await campaign.GetInfo()).Status);
    }

    [Fact]
    public async Task Import_creates_instances_with_the_campaign_settings_and_reports_bad_ones()
    {
        var campaign = NewCampaign();
        await campaign.Create(new CampaignSettings { Rounds = 2, MaxClicksPerRound = 3, ShardCount = 3, ModelName = ModelNames.External });
        await AssertRefused(campaign.ImportInstances([]));
        await campaign.BeginImport();

        var good = new InstanceImport("i1", "a/b.jpg", 40, 30, new BoxD(1, 1, 20, 20), "dog");
        var result = await campaign.ImportInstances([good, good with { InstanceId = "i2" }, good with { InstanceId = "bad", Box = new BoxD(0, 0, 50, 5) }]);
        var again = await campaign.ImportInstances([good]);

        Assert.Equal(2, result.Created);
        Assert.Equal("bad", Assert.Single(result.Rejected).InstanceId);
        Assert.Equal((0, 1), (again.Created, again.AlreadyPresent));
        Assert.Equal(2, (await campaign.GetInfo()).ImportedInstances);
        var campaignId = campaign.GetPrimaryKeyString();
        var spec = (await fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, "i1")).GetState()).Spec;
        Assert.Equal((2, 3, 3), (spec!.Rounds, spec.MaxClicksPerRound, spec.ShardCount));
    }

    static async Task AssertRefused(Task call)
    {
        var e = await Assert.ThrowsAsync<AnnotationRejectedException>(() => call);
        Assert.Equal(RejectionCodes.InvalidTransition, e.Code);
    }
}

public sealed class AnnotatorGrainTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    const int W = 64, H = 48;

    static MaskRle Box() => RleMask.FromMask(BinaryMask.FromPredicate(W, H, (x, y) => x is >= 4 and < 30 && y is >= 4 and < 30)).ToWire();

    /// <summary>A running campaign whose instances all have their box mask and wait for round 1.</summary>
    async Task<(string CampaignId, ICampaignGrain Campaign, string[] Keys)> RunningCampaign(int instances, int shards = 3)
    {
        var id = NewId("c");
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(id);
        await campaign.Create(new CampaignSettings { Rounds = 2, MaxClicksPerRound = 4, ShardCount = shards, ModelName = ModelNames.External });
        await campaign.BeginImport();
        var imports = Enumerable.Range(0, instances)
            .Select(i => new InstanceImport($"i{i}", $"img/{i}.png", W, H, new BoxD(4, 4, 30, 30), "cat")).ToArray();
        Assert.Equal(instances, (await campaign.ImportInstances(imports)).Created);
        var keys = imports.Select(i => AnnotationKeys.Instance(id, i.InstanceId)).ToArray();
        foreach (var key in keys) await fixture.Grains.GetGrain<IInstanceGrain>(key).SetModelMask(0, Box());
        await campaign.Start();
        return (id, campaign, keys);
    }

    async Task<IAnnotatorGrain> Qualified()
    {
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(NewId("a"));
        await annotator.SetQualified(true);
        return annotator;
    }

    static Submission Answer(IAnnotatorGrain a, WorkAssignment w, string id, int clicks, double seconds, bool skip = false) =>
        new(id, a.GetPrimaryKeyString(), w.Round,
            Enumerable.Range(0, clicks).Select(i => new SubmittedClick(10 + i, 10, ClickPolarity.Foreground)).ToArray(), skip, seconds);

    [Fact]
    public async Task Unqualified_annotators_get_no_work()
    {
        var (campaignId, _, _) = await RunningCampaign(1);
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(NewId("a"));

        var e = await Assert.ThrowsAsync<AnnotationRejectedException>(() => annotator.RequestWork(campaignId));

        Assert.Equal(RejectionCodes.NotQualified, e.Code);
        Assert.Null((await annotator.GetProfile()).Lease);
    }

    [Fact]
    public async Task No_work_from_a_paused_campaign()
    {
        var (campaignId, campaign, _) = await RunningCampaign(1);
        await campaign.Pause();

        var e = await Assert.ThrowsAsync<AnnotationRejectedException>(async () => await (await Qualified()).RequestWork(campaignId));

        Assert.Equal(RejectionCodes.CampaignNotRunning, e.Code);
    }

    [Fact]
    public async Task Work_submissions_and_statistics_and_campaign_progress()
    {
        var (campaignId, campaign, keys) = await RunningCampaign(3);
        var alice = await Qualified();

        var w1 = await alice.RequestWork(campaignId);
        Assert.NotNull(w1);
        Assert.Equal(w1, await alice.RequestWork(campaignId)); // the same lease again
        Assert.Equal(1, w1.Round);
        Assert.Equal(Box(), w1.CurrentMask);
        await alice.Submit(w1.InstanceKey, Answer(alice, w1, "s1", clicks: 3, seconds: 10));
        await alice.Submit(w1.InstanceKey, Answer(alice, w1, "s1", clicks: 3, seconds: 10)); // repeated: counted once

        var w2 = await alice.RequestWork(campaignId);
        Assert.NotEqual(w1.InstanceKey, w2!.InstanceKey);
        await alice.Submit(w2.InstanceKey, Answer(alice, w2, "s2", clicks: 1, seconds: 20));

        var w3 = await alice.RequestWork(campaignId);
        await alice.Submit(w3!.InstanceKey, Answer(alice, w3, "s3", clicks: 0, seconds: 4, skip: true));
        Assert.Null(await alice.RequestWork(campaignId));

        // the model answers the first instance; round 2 of it goes to alice
        await fixture.Grains.GetGrain<IInstanceGrain>(w1.InstanceKey).SetModelMask(1, Box());
        var w4 = await alice.RequestWork(campaignId);
        Assert.Equal((w1.InstanceKey, 2), (w4!.InstanceKey, w4.Round));
        Assert.Equal(3, w4.EarlierClicks.Count);
        await alice.Submit(w4.InstanceKey, Answer(alice, w4, "s4", clicks: 0, seconds: 6));

        var profile = await alice.GetProfile();
        Assert.Equal(4, profile.History.Count);
        Assert.Null(profile.Lease);
        // answered (not skipped): w1 twice (3 + 0 clicks, 10 + 6 s) and w2 once (1 click, 20 s)
        Assert.Equal(new AnnotatorStatistics(Instances: 2, Answers: 3, Clicks: 4, ClicksPerInstance: 2, SecondsPerInstance: 18, Skips: 1),
            profile.Statistics);

        await Deactivate(alice);
        var reread = await alice.GetProfile();
        Assert.Equal(profile.Statistics, reread.Statistics);
        Assert.Equal(profile.History, reread.History);
        Assert.True(reread.Qualified);

        var progress = await campaign.GetProgress();
        Assert.Equal(3, progress.ImportedInstances);
        Assert.Equal(new RoundProgress(1, 0, 0, Corrected: 2, Accepted: 0, Skipped: 1, 0), progress.Rounds[0]);
        Assert.Equal(new RoundProgress(2, 0, 0, Corrected: 0, Accepted: 1, Skipped: 0, 0), progress.Rounds[1]);
        Assert.Equal(InstanceStatus.Done, (await fixture.Grains.GetGrain<IInstanceGrain>(w1.InstanceKey).GetState()).Status);
        Assert.Contains(w2.InstanceKey, keys);
    }

    [Fact]
    public async Task Two_annotators_never_share_a_lease_and_release_gives_work_back()
    {
        var (campaignId, campaign, _) = await RunningCampaign(2, shards: 1);
        var alice = await Qualified();
        var bob = await Qualified();

        var a = await alice.RequestWork(campaignId);
        var b = await bob.RequestWork(campaignId);
        Assert.NotEqual(a!.InstanceKey, b!.InstanceKey);
        Assert.Null(await (await Qualified()).RequestWork(campaignId));

        Assert.True(await alice.ReleaseWork());
        Assert.Equal(InstanceStatus.Queued, (await fixture.Grains.GetGrain<IInstanceGrain>(a.InstanceKey).GetState()).Status);
        var carol = await Qualified();
        Assert.Equal(a.InstanceKey, (await carol.RequestWork(campaignId))?.InstanceKey);
        Assert.Null(await alice.RequestWork(campaignId)); // alice had it and bob holds the other

        var e = await Assert.ThrowsAsync<AnnotationRejectedException>(() => alice.Submit(a.InstanceKey, Answer(alice, a, "late", 1, 1)));
        Assert.Equal(RejectionCodes.LeaseNotHeld, e.Code);
        Assert.Equal(new RoundProgress(1, 0, 2, 0, 0, 0, 0), (await campaign.GetProgress()).Rounds[0]);
    }
}
