using Grains.Interfaces;
using Grains;
using Orleans.TestingHost;

namespace Backend.Tests;

/// <summary>One in-process silo with the "annotation" grain storage kept in memory.</summary>
public sealed class TestClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; } = new TestClusterBuilder(initialSilosCount: 1)
        .AddSiloBuilderConfigurator<AnnotationStorageConfigurator>()
        .Build();

    public IGrainFactory Grains => Cluster.GrainFactory;

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    sealed class AnnotationStorageConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddMemoryGrainStorage(global::Grains.StorageNames.Annotation).AddTestCampaignStore().AddAnnotationGrains(TestModels.Configure);
    }
}

public sealed class HealthGrainTests(TestClusterFixture fixture) : IClassFixture<TestClusterFixture>
{
    [Fact]
    public async Task Ping_is_answered_by_the_silo_that_activated_the_grain()
    {
        var answer = await fixture.Cluster.GrainFactory.GetGrain<IHealthGrain>(0).Ping();

        var primary = Assert.IsAssignableFrom<SiloHandle>(fixture.Cluster.Primary);
        Assert.Equal(primary.SiloAddress.ToString(), answer);
    }
}
