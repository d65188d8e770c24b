using Grains;
using Grains.Interfaces;
using Grains.Store;
using Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace Backend.Tests;

/// <summary>The campaign tables of the in-memory test clusters: a real SQLite file per silo in a temporary folder.</summary>
static class TestStores
{
    static readonly string Folder = Path.Combine(Path.GetTempPath(), "annotation-test-stores-" + Environment.ProcessId);

    /// <summary>Registers a fresh SQLite campaign store (schema applied) on the silo.</summary>
    public static ISiloBuilder AddTestCampaignStore(this ISiloBuilder silo) => silo.AddCampaignStore(NewSqlite());

    /// <summary>A fresh SQLite database file with the schema applied.</summary>
    public static StorageSettings NewSqlite()
    {
        Directory.CreateDirectory(Folder);
        var settings = StorageSettings.ForSqliteFile(Path.Combine(Folder, $"campaigns-{Guid.NewGuid():N}.db"));
        SchemaInstaller.Apply(settings);
        return settings;
    }

    /// <summary>
    /// Imports one instance with exactly <paramref name="spec"/> (rounds, shards and model as given), as a campaign's import
    /// would store it. True when created, false when it was stored already with the same spec.
    /// </summary>
    public static async Task<bool> ImportInstance(this TestCluster cluster, string campaignId, string instanceId, InstanceSpec spec, MaskRle? groundTruth = null)
    {
        var silo = (InProcessSiloHandle?)cluster.Primary ?? throw new InvalidOperationException("The test cluster has no silo.");
        var services = silo.SiloHost.Services;
        InstanceSpecRules.Validate(instanceId, spec, groundTruth);
        var serializer = services.GetRequiredService<Serializer<InstanceState>>();
        var state = InstanceState.Imported(spec, groundTruth);
        var result = await services.GetRequiredService<ICampaignStore>().InsertInstances(campaignId,
            [new NewInstance(instanceId, ShardMap.ShardOf(instanceId, spec.ShardCount), spec.ImagePath, (int)state.Status, 0, serializer.SerializeToArray(state))]);
        if (result.Created == 1) return true;
        var stored = InstanceRowStorage.Decode(Assert.Single(result.AlreadyStored).State, serializer);
        if (stored.Spec != spec || stored.GroundTruth != groundTruth)
            throw new AnnotationRejectedException(RejectionCodes.AlreadyInitialized, "spec", $"Instance {instanceId} already exists with a different spec.");
        return false;
    }
}
