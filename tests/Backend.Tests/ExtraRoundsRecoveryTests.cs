using System.Collections.Concurrent;
using Grains;
using Grains.Interfaces;
using Orleans.Hosting;
using Orleans.TestingHost;
using Segmentation.Masks;
using static Backend.Tests.GrainTestHelpers;

namespace Backend.Tests;

/// <summary>
/// A test cluster whose silo makes the extra-rounds grain fail right after an instance has stored an extra-round grant, as if
/// the grain's process had stopped between the instance's answer and the grain's own write.
/// </summary>
public sealed class CrashAfterGrantClusterFixture : IAsyncLifetime
{
    /// <summary>Instance keys whose next granted extra round fails in the caller once the instance has stored it.</summary>
    public static readonly ConcurrentDictionary<string, bool> CrashAfterGrantTo = new(StringComparer.Ordinal);

    public TestCluster Cluster { get; } = new TestClusterBuilder(initialSilosCount: 1)
        .AddSiloBuilderConfigurator<Configurator>()
        .Build();

    public IGrainFactory Grains => Cluster.GrainFactory;

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .AddMemoryGrainStorage(global::Grains.StorageNames.Annotation).AddTestCampaignStore()
            .AddAnnotationGrains(TestModels.Configure)
            .AddOutgoingGrainCallFilter(async context =>
            {
                await context.Invoke();
                if (context.MethodName == nameof(IInstanceGrain.GrantExtraRound) && context.Result is int
                    && CrashAfterGrantTo.TryRemove(context.TargetId.Key.ToString()!, out _))
                    throw new InvalidOperationException("Simulated crash after the instance stored its grant.");
            });
    }
}

public sealed class ExtraRoundsRecoveryTests(CrashAfterGrantClusterFixture fixture) : IClassFixture<CrashAfterGrantClusterFixture>
{
    const int Width = GrainTestHelpers.CanvasWidth, Height = GrainTestHelpers.CanvasHeight;

    [Fact]
    public async Task A_grant_stored_by_its_instance_before_a_crash_is_charged_once_and_not_given_twice()
    {
        var campaignId = GrainTestHelpers.NewId("crash");
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(campaignId);
        await campaign.Create(new CampaignSettings { Rounds = 1, ShardCount = 1, MaxClicksPerRound = 4, ModelName = ModelNames.External });
        await campaign.BeginImport();
        string[] ids = ["a", "b", "c"];
        await campaign.ImportInstances(ids.Select(id => new InstanceImport(id, "a.jpg", Width, Height, new BoxD(10, 5, 30, 25), "box")).ToArray());
        await campaign.Start();
        IInstanceGrain Instance(string id) => fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, id));
        foreach (var id in ids) await Instance(id).SetModelMask(0, Rect(12, 7, 28, 23).ToWire());
        var annotatorId = GrainTestHelpers.NewId("ann");
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(annotatorId);
        await annotator.SetQualified(true);
        foreach (var _ in ids)
        {
            var work = await annotator.RequestWork(campaignId);
            await annotator.Submit(work!.InstanceKey, new Submission($"r1-{AnnotationKeys.ParseInstance(work.InstanceKey).InstanceId}", annotatorId, 1,
                [new SubmittedClick(11.5, 15.5, ClickPolarity.Foreground)], false, 1));
            await fixture.Grains.GetGrain<IInstanceGrain>(work.InstanceKey).SetModelMask(1, Rect(10, 5, 30, 25).ToWire());
        }

        // A budget of 4 clicks pays for one extra round.
        foreach (var id in ids) CrashAfterGrantClusterFixture.CrashAfterGrantTo[AnnotationKeys.Instance(campaignId, id)] = true;
        var extra = fixture.Grains.GetGrain<IExtraRoundsGrain>(campaignId);
        await Assert.ThrowsAnyAsync<Exception>(() => extra.Start(new ExtraRoundsRequest(4, ExtraRoundStrategy.QueueOrder)));
        foreach (var id in ids) CrashAfterGrantClusterFixture.CrashAfterGrantTo.TryRemove(AnnotationKeys.Instance(campaignId, id), out _);
        // The instance stored the grant: it waits in round 2.
        var states = await Task.WhenAll(ids.Select(id => Instance(id).GetState()));
        var granted = Assert.Single(ids, id => states[Array.IndexOf(ids, id)].CurrentRound == 2);

        // The grain comes back from storage and settles the grant it had written before asking the instance.
        await GrainTestHelpers.Deactivate(extra);
        var recovered = await extra.GetSummary();
        Assert.True(recovered.Active);
        Assert.Equal(1, recovered.Outstanding);
        Assert.Equal(1, recovered.RoundsGranted);

        var rounds = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await extra.GetSummary()).Active && DateTime.UtcNow < deadline)
        {
            if (await annotator.RequestWork(campaignId) is not { } work)
            {
                await Task.Delay(20);
                continue;
            }
            rounds.Add($"{AnnotationKeys.ParseInstance(work.InstanceKey).InstanceId}/{work.Round}");
            await annotator.Submit(work.InstanceKey, new Submission($"x-{AnnotationKeys.ParseInstance(work.InstanceKey).InstanceId}-{work.Round}", annotatorId, work.Round,
                [new SubmittedClick(20.5, 15.5, ClickPolarity.Foreground)], false, 1));
            await fixture.Grains.GetGrain<IInstanceGrain>(work.InstanceKey).SetModelMask(work.Round, Rect(10, 5, 30, 25).ToWire());
        }

        Assert.Equal([$"{granted}/2"], rounds);
        var summary = await extra.GetSummary();
        Assert.False(summary.Active);
        Assert.Equal(1, summary.ClicksSpent);
        Assert.Equal(1, summary.RoundsFinished);
        Assert.Equal(0, summary.Outstanding);
        Assert.Contains("budget", summary.StopReason);
    }
}
