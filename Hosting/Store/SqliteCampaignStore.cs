using System.Data.Common;
using Grains.Store;
using Microsoft.Data.Sqlite;

namespace Hosting.Store;

/// <summary>
/// The campaign tables in the embedded SQLite file; an import batch is one transaction of prepared inserts. Writes go
/// through one connection that commits the writes waiting for it together (<see cref="GroupCommitWriter"/>); reads use
/// their own connections beside it.
/// </summary>
public sealed class SqliteCampaignStore : SqlCampaignStore, IAsyncDisposable, IDisposable
{
    readonly string connectionString;
    readonly GroupCommitWriter writer;

    public SqliteCampaignStore(string connectionString)
    {
        this.connectionString = connectionString;
        writer = new GroupCommitWriter(OpenConnection, IsDatabaseError);
    }

    protected override bool BlockingDriver => true;

    protected override Task<T> Write<T>(Func<DbConnection, DbTransaction?, Task<T>> work, CancellationToken cancellation = default, bool oneStatement = false) =>
        writer.Write(work, cancellation);

    public ValueTask DisposeAsync() => writer.DisposeAsync();

    public void Dispose() => writer.DisposeAsync().AsTask().GetAwaiter().GetResult();

    protected override async ValueTask<DbConnection> OpenConnection(CancellationToken cancellation)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellation);
        // SQLite's own busy handler retries within milliseconds when another connection holds the write lock; without it
        // the driver's managed retry sleeps 150 ms per attempt, which is most of the tail latency under concurrent writers.
        await using var busy = connection.CreateCommand();
        busy.CommandText = "PRAGMA busy_timeout = 30000;";
        await busy.ExecuteNonQueryAsync(cancellation);
        return connection;
    }

    protected override async Task<HashSet<string>> InsertNewInstances(
        DbConnection connection, DbTransaction? transaction, string campaignId, IReadOnlyList<NewInstance> instances, long firstSeq, CancellationToken cancellation)
    {
        await using var command = Command(connection, transaction,
            "INSERT INTO annotation_instance (campaign_id, instance_id, shard, seq, image_path, status, round, state, version) " +
            "VALUES (@c, @i, @s, @q, @p, @st, @r, @b, 0) ON CONFLICT (campaign_id, instance_id) DO NOTHING",
            ("c", campaignId), ("i", ""), ("s", 0), ("q", 0L), ("p", ""), ("st", 0), ("r", 0), ("b", Array.Empty<byte>()));
        command.Prepare();
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        for (var k = 0; k < instances.Count; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            var x = instances[k];
            command.Parameters["i"].Value = x.InstanceId;
            command.Parameters["s"].Value = x.Shard;
            command.Parameters["q"].Value = firstSeq + k;
            command.Parameters["p"].Value = x.ImagePath;
            command.Parameters["st"].Value = x.Status;
            command.Parameters["r"].Value = x.Round;
            command.Parameters["b"].Value = x.State;
            if (await command.ExecuteNonQueryAsync(cancellation) == 1) inserted.Add(x.InstanceId);
        }
        return inserted;
    }
}
