using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Grains;
using Grains.Interfaces;
using Grains.Store;
using Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using Segmentation.Masks;
using static Backend.Tests.GrainTestHelpers;

namespace Backend.Tests;

/// <summary>
/// Wraps the real campaign store; a method armed with <see cref="FailNext"/> fails instead of running, the way the store
/// reports a database that refuses a statement.
/// </summary>
public class FaultyCampaignStore : DispatchProxy
{
    static readonly ConcurrentDictionary<string, int> Armed = new(StringComparer.Ordinal);

    ICampaignStore inner = null!;

    public static ICampaignStore Wrap(ICampaignStore inner)
    {
        var proxy = Create<ICampaignStore, FaultyCampaignStore>();
        ((FaultyCampaignStore)(object)proxy).inner = inner;
        return proxy;
    }

    /// <summary>The next <paramref name="times"/> calls of <paramref name="method"/> (in any test of the process) fail.</summary>
    public static void FailNext(string method, int times = 1) => Armed[method] = times;

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        var name = method!.Name;
        if (Armed.TryGetValue(name, out var left) && left > 0)
        {
            Armed[name] = left - 1;
            return Task.FromException(new StorageUnavailableException($"Injected storage failure in {name}.")) is var failed && method.ReturnType == typeof(Task)
                ? failed
                : FailedOf(method.ReturnType, name);
        }
        return method.Invoke(inner, args);
    }

    static object FailedOf(Type taskType, string name)
    {
        var result = taskType.GetGenericArguments()[0];
        var source = Activator.CreateInstance(typeof(TaskCompletionSource<>).MakeGenericType(result))!;
        source.GetType().GetMethod(nameof(TaskCompletionSource<int>.SetException), [typeof(Exception)])!.Invoke(source, [new StorageUnavailableException($"Injected storage failure in {name}.")]);
        return source.GetType().GetProperty(nameof(TaskCompletionSource<int>.Task))!.GetValue(source)!;
    }
}

/// <summary>
/// Grain storage (Orleans' memory storage underneath) whose next write of a state name armed with
/// <see cref="FailNextWrite"/> fails the way a database that refuses the statement does.
/// </summary>
public sealed class FaultyGrainStorage(IGrainStorage inner) : IGrainStorage
{
    static readonly ConcurrentDictionary<string, string> Armed = new(StringComparer.Ordinal);

    /// <summary>
    /// The next write of <paramref name="stateName"/> by a grain whose id contains <paramref name="grainKeyPart"/> fails;
    /// grains of other tests sharing the silo, still finishing their work, are left alone.
    /// </summary>
    public static void FailNextWrite(string stateName, string grainKeyPart) => Armed[stateName] = grainKeyPart;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Armed.TryGetValue(stateName, out var part) && grainId.ToString().Contains(part, StringComparison.Ordinal)
            && Armed.TryRemove(new KeyValuePair<string, string>(stateName, part))
            ? Task.FromException(new StorageUnavailableException($"Injected storage failure writing {stateName}."))
            : inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}

public sealed class FaultyStoreClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; } = new TestClusterBuilder(initialSilosCount: 1).AddSiloBuilderConfigurator<Configurator>().Build();

    public IGrainFactory Grains => Cluster.GrainFactory;

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorage(global::Grains.StorageNames.Annotation).AddAnnotationGrains(TestModels.Configure);
            siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(global::Grains.StorageNames.Annotation, (services, _) =>
                new FaultyGrainStorage(MemoryGrainStorageFactory.Create(services, global::Grains.StorageNames.Annotation)));
            var settings = TestStores.NewSqlite();
            siloBuilder.Services.AddSingleton(_ => FaultyCampaignStore.Wrap(AnnotationStorage.CreateCampaignStore(settings)));
        }
    }
}

/// <summary>
/// A write the database refuses is never acknowledged: the grain keeps (or reloads) the state it had before the call, and
/// the same call sent again is applied once.
/// </summary>
public sealed class StorageFaultTests(FaultyStoreClusterFixture fixture) : IClassFixture<FaultyStoreClusterFixture>
{
    const int W = 64, H = 48;

    static MaskRle Box() => RleMask.FromMask(BinaryMask.FromPredicate(W, H, (x, y) => x is >= 4 and < 30 && y is >= 4 and < 30)).ToWire();

    async Task<(string CampaignId, IAnnotatorGrain Annotator)> RunningCampaign(int instances)
    {
        var id = NewId("c");
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(id);
        await campaign.Create(new CampaignSettings { Rounds = 2, MaxClicksPerRound = 4, ShardCount = 1, ModelName = ModelNames.External });
        await campaign.BeginImport();
        var imports = Enumerable.Range(0, instances).Select(i => new InstanceImport($"i{i}", $"img/{i}.png", W, H, new BoxD(4, 4, 30, 30), "cat")).ToArray();
        Assert.Equal(instances, (await campaign.ImportInstances(imports)).Created);
        foreach (var i in imports) await fixture.Grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(id, i.InstanceId)).SetModelMask(0, Box());
        await campaign.Start();
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(NewId("a"));
        await annotator.SetQualified(true);
        return (id, annotator);
    }

    static Submission Answer(IAnnotatorGrain a, WorkAssignment w, string id, int clicks) =>
        new(id, a.GetPrimaryKeyString(), w.Round, Enumerable.Range(0, clicks).Select(i => new SubmittedClick(10 + i, 10, ClickPolarity.Foreground)).ToArray(), false, 5);

    static string Snapshot(InstanceView view) => JsonSerializer.Serialize(view);

    [Theory]
    [InlineData(nameof(ICampaignStore.WriteInstance))]
    [InlineData(nameof(ICampaignStore.WriteQueue))]
    [InlineData(nameof(ICampaignStore.RecordAnswer))]
    public async Task A_submission_the_database_refuses_is_not_acknowledged_and_its_retry_is_applied_once(string failing)
    {
        var (campaignId, annotator) = await RunningCampaign(2);
        var work = (await annotator.RequestWork(campaignId))!;
        var instance = fixture.Grains.GetGrain<IInstanceGrain>(work.InstanceKey);
        var queue = fixture.Grains.GetGrain<IWorkQueueGrain>(AnnotationKeys.WorkQueue(campaignId, 1, 0));
        var before = Snapshot(await instance.GetState());

        FaultyCampaignStore.FailNext(failing);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => annotator.Submit(work.InstanceKey, Answer(annotator, work, "s1", clicks: 2)));
        Assert.True(TransientFailures.IsStorageFailure(refused), $"not seen as a storage failure: {refused}");
        if (failing == nameof(ICampaignStore.WriteInstance))
            Assert.Equal(before, Snapshot(await instance.GetState()));
        Assert.Empty((await annotator.GetProfile()).History);

        var result = await annotator.Submit(work.InstanceKey, Answer(annotator, work, "s1", clicks: 2));
        var again = await annotator.Submit(work.InstanceKey, Answer(annotator, work, "s1", clicks: 2));
        Assert.Equal(result, again);

        var view = await instance.GetState();
        Assert.Single(view.Answers);
        Assert.Equal(2, view.Clicks.Count);
        Assert.Equal(InstanceStatus.WaitingForModel, view.Status);
        var profile = await annotator.GetProfile();
        Assert.Single(profile.History);
        Assert.Equal((1, 1, 2), (profile.Statistics.Instances, profile.Statistics.Answers, profile.Statistics.Clicks));
        var summary = await queue.GetSummary();
        Assert.Equal((1, 0, 1), (summary.Waiting, summary.Leased, summary.Corrected));
        Assert.Null(profile.Lease);
    }

    [Fact]
    public async Task A_corrective_answer_whose_model_request_fails_changes_nothing_and_its_retry_gets_the_next_mask()
    {
        var id = NewId("c");
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(id);
        await campaign.Create(new CampaignSettings { Rounds = 2, MaxClicksPerRound = 4, ShardCount = 1, ModelName = ModelNames.Box });
        await campaign.BeginImport();
        await campaign.ImportInstances([new InstanceImport("i0", "img/0.png", W, H, new BoxD(4, 4, 30, 30), "cat")]);
        await campaign.Start();
        var annotator = fixture.Grains.GetGrain<IAnnotatorGrain>(NewId("a"));
        await annotator.SetQualified(true);
        var work = await Eventually(() => annotator.RequestWork(id), w => w is not null, "the box mask of round 0");
        var instance = fixture.Grains.GetGrain<IInstanceGrain>(work!.InstanceKey);
        var before = Snapshot(await instance.GetState());

        // The answer's request for the next mask fails (as when the model work's silo is lost): the answer is refused and
        // the instance keeps nothing of it, so the retry is applied as a new answer, not acknowledged as a repeat unwritten.
        FaultyGrainStorage.FailNextWrite("modelwork", id);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => annotator.Submit(work.InstanceKey, Answer(annotator, work, "s1", clicks: 2)));
        Assert.True(TransientFailures.IsStorageFailure(refused), $"not seen as a storage failure: {refused}");
        Assert.Equal(before, Snapshot(await instance.GetState()));

        var result = await annotator.Submit(work.InstanceKey, Answer(annotator, work, "s1", clicks: 2));
        Assert.Equal(SubmissionOutcome.NeedsModel, result.Outcome);
        var view = await Eventually(() => instance.GetState(), v => v.Masks.Any(m => m.Round == 1), "the mask of round 1");
        Assert.Equal((InstanceStatus.Queued, 2), (view.Status, view.CurrentRound));
        Assert.Single(view.Answers);
    }

    static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited 30 s for {what}.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_lease_the_database_refuses_is_not_handed_out_and_the_next_request_gets_one()
    {
        var (campaignId, annotator) = await RunningCampaign(3);
        var queue = fixture.Grains.GetGrain<IWorkQueueGrain>(AnnotationKeys.WorkQueue(campaignId, 1, 0));

        FaultyCampaignStore.FailNext(nameof(ICampaignStore.WriteQueue));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => annotator.RequestWork(campaignId));
        Assert.True(TransientFailures.IsStorageFailure(refused), $"not seen as a storage failure: {refused}");
        var summary = await queue.GetSummary();
        Assert.Equal((3, 0), (summary.Waiting, summary.Leased));
        Assert.Null(await annotator.GetLease());

        var work = await annotator.RequestWork(campaignId);
        Assert.NotNull(work);
        Assert.Equal(work, await annotator.RequestWork(campaignId));
        summary = await queue.GetSummary();
        Assert.Equal((2, 1), (summary.Waiting, summary.Leased));
    }

    [Fact]
    public async Task An_import_batch_the_database_refuses_imports_nothing_and_its_retry_imports_it_all()
    {
        var id = NewId("c");
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(id);
        await campaign.Create(new CampaignSettings { Rounds = 1, ShardCount = 2, ModelName = ModelNames.External });
        await campaign.BeginImport();
        var imports = Enumerable.Range(0, 50).Select(i => new InstanceImport($"i{i}", $"img/{i}.png", W, H, new BoxD(4, 4, 30, 30), "cat")).ToArray();

        FaultyCampaignStore.FailNext(nameof(ICampaignStore.InsertInstances));
        await Assert.ThrowsAnyAsync<Exception>(() => campaign.ImportInstances(imports));
        Assert.Equal(0, (await campaign.GetInfo()).ImportedInstances);

        var result = await campaign.ImportInstances(imports);
        Assert.Equal((50, 0), (result.Created, result.AlreadyPresent));
        Assert.Equal(50, (await campaign.GetInfo()).ImportedInstances);
        var repeated = await campaign.ImportInstances(imports);
        Assert.Equal((0, 50), (repeated.Created, repeated.AlreadyPresent));
    }
}
