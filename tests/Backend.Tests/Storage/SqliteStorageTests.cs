using Hosting;
using Microsoft.Data.Sqlite;

namespace Backend.Tests.Storage;

public sealed class SqliteStorageTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("annotation-sqlite-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Grain_state_survives_a_cluster_restart()
    {
        var settings = StorageSettings.ForSqliteFile(Path.Combine(folder, StorageSettings.SqliteFileName));
        SchemaInstaller.Apply(settings);
        var serviceId = "sqlite-" + Guid.NewGuid().ToString("N");

        await using (var first = await StorageTestCluster.StartAsync(settings, serviceId))
        {
            var grain = first.GrainFactory.GetGrain<INoteGrain>("image-7");
            await grain.Write("first");
            await grain.Write("box drawn");
            await first.StopAllSilosAsync();
        }

        await using var second = await StorageTestCluster.StartAsync(settings, serviceId);
        var state = await second.GrainFactory.GetGrain<INoteGrain>("image-7").Read();
        Assert.Equal("box drawn", state.Text);
        Assert.Equal(2, state.Writes);
        Assert.Null((await second.GrainFactory.GetGrain<INoteGrain>("image-8").Read()).Text);
    }

    [Fact]
    public void Schema_can_be_applied_twice_and_keeps_state()
    {
        var settings = StorageSettings.ForSqliteFile(Path.Combine(folder, "twice.db"));
        SchemaInstaller.Apply(settings);
        using (var connection = new SqliteConnection(settings.ConnectionString))
        {
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, ServiceId, ModifiedOn, Version) VALUES (1, 2, 3, 4, 't', 's', CURRENT_TIMESTAMP, 1);";
            insert.ExecuteNonQuery();
        }

        SchemaInstaller.Apply(settings);

        using var check = new SqliteConnection(settings.ConnectionString);
        check.Open();
        using var count = check.CreateCommand();
        count.CommandText = "SELECT (SELECT COUNT(*) FROM OrleansStorage) || '/' || (SELECT COUNT(*) FROM OrleansQuery);";
        Assert.Equal("1/4", count.ExecuteScalar());
    }
}
