using System.Data.Common;
using Grains.Store;
using Npgsql;

namespace Hosting.Store;

/// <summary>The campaign tables in PostgreSQL; an import batch is one multi-row statement over arrays.</summary>
public sealed class PostgresCampaignStore(string connectionString) : SqlCampaignStore, IDisposable
{
    readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);

    protected override async ValueTask<DbConnection> OpenConnection(CancellationToken cancellation) =>
        await dataSource.OpenConnectionAsync(cancellation);

    protected override async Task<HashSet<string>> InsertNewInstances(
        DbConnection connection, DbTransaction? transaction, string campaignId, IReadOnlyList<NewInstance> instances, long firstSeq, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO annotation_instance (campaign_id, instance_id, shard, seq, image_path, status, round, state, version) " +
            "SELECT @c, u.i, u.s, u.q, u.p, u.st, u.r, u.b, 0 FROM unnest(@i, @s, @q, @p, @st, @r, @b) AS u(i, s, q, p, st, r, b) " +
            "ON CONFLICT (campaign_id, instance_id) DO NOTHING RETURNING instance_id",
            (NpgsqlConnection)connection, (NpgsqlTransaction?)transaction);
        command.Parameters.AddWithValue("c", campaignId);
        command.Parameters.AddWithValue("i", instances.Select(x => x.InstanceId).ToArray());
        command.Parameters.AddWithValue("s", instances.Select(x => x.Shard).ToArray());
        command.Parameters.AddWithValue("q", instances.Select((_, k) => firstSeq + k).ToArray());
        command.Parameters.AddWithValue("p", instances.Select(x => x.ImagePath).ToArray());
        command.Parameters.AddWithValue("st", instances.Select(x => (short)x.Status).ToArray());
        command.Parameters.AddWithValue("r", instances.Select(x => x.Round).ToArray());
        command.Parameters.AddWithValue("b", instances.Select(x => x.State).ToArray());
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation)) inserted.Add(reader.GetString(0));
        return inserted;
    }

    public void Dispose() => dataSource.Dispose();
}
