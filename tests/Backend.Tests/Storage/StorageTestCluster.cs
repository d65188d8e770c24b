using Grains;
using Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Backend.Tests.Storage;

/// <summary>Starts TestClusters whose silos use the project's storage settings.</summary>
public static class StorageTestCluster
{
    const string KindKey = "AnnotationStorageKind";
    const string ConnectionKey = "AnnotationStorageConnection";

    /// <summary>A one-silo cluster; clusters built with the same <paramref name="serviceId"/> share stored state.</summary>
    public static async Task<TestCluster> StartAsync(StorageSettings settings, string serviceId)
    {
        var builder = new TestClusterBuilder(initialSilosCount: 1);
        builder.Options.ServiceId = serviceId;
        builder.Properties[KindKey] = settings.Kind.ToString();
        builder.Properties[ConnectionKey] = settings.ConnectionString;
        builder.AddSiloBuilderConfigurator<Configurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var kind = Enum.Parse<StorageKind>(siloBuilder.Configuration[KindKey]!);
            var connection = siloBuilder.Configuration[ConnectionKey]!;
            siloBuilder.AddAnnotationGrainStorage(new StorageSettings(kind, connection, ApplySchema: false))
                .AddAnnotationGrains(TestModels.Configure);
        }
    }
}
