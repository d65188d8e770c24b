using System.Data.Common;
using Grains.Interfaces;
using Hosting.Store;
using Microsoft.Data.Sqlite;

namespace Backend.Tests.Storage;

/// <summary>The SQLite store's writer: units that wait together commit together, and each one fails only on its own account.</summary>
public sealed class GroupCommitWriterTests : IAsyncLifetime
{
    readonly string folder = Directory.CreateTempSubdirectory("annotation-group-commit-").FullName;
    string connectionString = "";

    public async Task InitializeAsync()
    {
        connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "writer.db"), Pooling = false }.ToString();
        await using var connection = await Open(CancellationToken.None);
        await using var create = connection.CreateCommand();
        create.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE item (id TEXT PRIMARY KEY, value INTEGER NOT NULL);";
        await create.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }

    async ValueTask<DbConnection> Open(CancellationToken cancellation)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellation);
        return connection;
    }

    static bool IsDatabaseError(Exception e) => e is DbException;

    static Func<DbConnection, DbTransaction, Task<int>> Insert(string id, int value) => async (connection, transaction) =>
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO item (id, value) VALUES ($id, $value)";
        ((SqliteCommand)command).Parameters.AddWithValue("$id", id);
        ((SqliteCommand)command).Parameters.AddWithValue("$value", value);
        return await command.ExecuteNonQueryAsync();
    };

    async Task<Dictionary<string, long>> Stored()
    {
        await using var connection = await Open(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, value FROM item";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, long>();
        while (await reader.ReadAsync()) rows[reader.GetString(0)] = reader.GetInt64(1);
        return rows;
    }

    /// <summary>Queues a unit that inserts (<paramref name="id"/>, <paramref name="value"/>) once its gate opens; Started ends when it runs.</summary>
    static (Task<int> Unit, Task Started, TaskCompletionSource Gate) Gated(GroupCommitWriter writer, string id, int value)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var unit = writer.Write(async (connection, transaction) =>
        {
            started.SetResult();
            await gate.Task;
            return await Insert(id, value)(connection, transaction);
        }, CancellationToken.None);
        return (unit, started.Task, gate);
    }

    /// <summary>Starts a unit that holds the writer until the returned gate opens, so that the units queued meanwhile form one batch.</summary>
    static async Task<(Task<int> Held, TaskCompletionSource Gate)> HoldWriter(GroupCommitWriter writer)
    {
        var (held, started, gate) = Gated(writer, "held", 0);
        await started;
        return (held, gate);
    }

    [Fact]
    public async Task Units_queued_together_commit_together_and_a_failing_unit_is_undone_alone()
    {
        await using var writer = new GroupCommitWriter(Open, IsDatabaseError);
        var (held, gate) = await HoldWriter(writer);
        var runs = new int[5];
        Func<DbConnection, DbTransaction, Task<int>> Counted(int k, Func<DbConnection, DbTransaction, Task<int>> work) => (connection, transaction) =>
        {
            Interlocked.Increment(ref runs[k]);
            return work(connection, transaction);
        };

        var accepted = writer.Write(Counted(0, Insert("a", 2)), CancellationToken.None);
        var refused = writer.Write(Counted(1, async (connection, transaction) =>
        {
            await Insert("b", 3)(connection, transaction);
            return await Insert("b", 4)(connection, transaction); // the same key twice: the database refuses it
        }), CancellationToken.None);
        var refusedAsTheStoreReportsIt = writer.Write(Counted(2, async (connection, transaction) =>
        {
            await Insert("c", 5)(connection, transaction);
            try
            {
                return await Insert("a", 6)(connection, transaction); // "a" is taken by the first unit of the batch
            }
            catch (SqliteException e)
            {
                throw StorageUnavailableException.From(e); // what the store's statements throw
            }
        }), CancellationToken.None);
        var conflict = writer.Write(Counted(3, async (connection, transaction) =>
        {
            await Insert("d", 7)(connection, transaction);
            throw new InvalidOperationException("version conflict");
        }), CancellationToken.None);
        var last = writer.Write(Counted(4, Insert("e", 8)), CancellationToken.None);
        gate.SetResult();

        Assert.Equal(1, await held);
        Assert.Equal(1, await accepted);
        Assert.Equal(1, await last);
        Assert.Contains("UNIQUE", (await Assert.ThrowsAsync<StorageUnavailableException>(() => refused)).Message);
        Assert.Contains("UNIQUE", (await Assert.ThrowsAsync<StorageUnavailableException>(() => refusedAsTheStoreReportsIt)).Message);
        Assert.Equal("version conflict", (await Assert.ThrowsAsync<InvalidOperationException>(() => conflict)).Message);
        Assert.Equal(new Dictionary<string, long> { ["held"] = 0, ["a"] = 2, ["e"] = 8 }, await Stored());
        Assert.All(runs, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task A_unit_is_acknowledged_only_when_its_whole_batch_is_committed()
    {
        await using var writer = new GroupCommitWriter(Open, IsDatabaseError);
        var (held, gate) = await HoldWriter(writer);
        var first = writer.Write(Insert("first", 1), CancellationToken.None);
        var (last, lastStarted, lastGate) = Gated(writer, "last", 2);
        gate.SetResult();
        await held;
        await lastStarted;

        // The first unit of the batch has run, but its batch is not committed yet: not acknowledged, not visible.
        Assert.False(first.IsCompleted);
        Assert.False((await Stored()).ContainsKey("first"));

        lastGate.SetResult();
        Assert.Equal(1, await first);
        Assert.Equal(1, await last);
        Assert.Equal(new Dictionary<string, long> { ["held"] = 0, ["first"] = 1, ["last"] = 2 }, await Stored());
    }

    [Fact]
    public async Task A_failed_commit_fails_every_unit_of_its_batch_and_the_next_batch_works()
    {
        await using (var setup = await Open(CancellationToken.None))
        {
            await using var create = setup.CreateCommand();
            create.CommandText = "CREATE TABLE parent (id TEXT PRIMARY KEY); " +
                "CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);";
            await create.ExecuteNonQueryAsync();
        }
        async ValueTask<DbConnection> OpenWithForeignKeys(CancellationToken cancellation)
        {
            var connection = await Open(cancellation);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA foreign_keys = ON;";
            await pragma.ExecuteNonQueryAsync(cancellation);
            return connection;
        }
        await using var writer = new GroupCommitWriter(OpenWithForeignKeys, IsDatabaseError);
        var (held, gate) = await HoldWriter(writer);
        var orphan = writer.Write(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO child (id, parent) VALUES ('c', 'missing')"; // checked only at the commit
            return await command.ExecuteNonQueryAsync();
        }, CancellationToken.None);
        var innocent = writer.Write(Insert("innocent", 1), CancellationToken.None);
        gate.SetResult();

        Assert.Equal(1, await held);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => orphan);
        Assert.Contains("FOREIGN KEY", (await Assert.ThrowsAsync<StorageUnavailableException>(() => innocent)).Message);
        Assert.Equal(new Dictionary<string, long> { ["held"] = 0 }, await Stored());

        Assert.Equal(1, await writer.Write(Insert("after", 2), CancellationToken.None));
        Assert.Equal(new Dictionary<string, long> { ["held"] = 0, ["after"] = 2 }, await Stored());
    }

    [Fact]
    public async Task A_database_that_cannot_be_opened_fails_the_batch_and_the_writer_recovers()
    {
        var opens = 0;
        async ValueTask<DbConnection> FailFirst(CancellationToken cancellation)
        {
            if (Interlocked.Increment(ref opens) == 1) throw new SqliteException("unable to open database file", 14);
            return await Open(cancellation);
        }
        await using var writer = new GroupCommitWriter(FailFirst, IsDatabaseError);

        Assert.Contains("unable to open", (await Assert.ThrowsAsync<StorageUnavailableException>(() => writer.Write(Insert("lost", 1), CancellationToken.None))).Message);
        Assert.Equal(1, await writer.Write(Insert("kept", 2), CancellationToken.None));
        Assert.Equal(new Dictionary<string, long> { ["kept"] = 2 }, await Stored());
    }

    [Fact]
    public async Task A_unit_that_waited_past_the_limit_fails_without_running()
    {
        await using var writer = new GroupCommitWriter(Open, IsDatabaseError, maxWait: TimeSpan.FromMilliseconds(200));
        var (held, gate) = await HoldWriter(writer);
        var late = writer.Write(Insert("late", 1), CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        gate.SetResult();

        Assert.Equal(1, await held);
        Assert.Contains("waited", (await Assert.ThrowsAsync<StorageUnavailableException>(() => late)).Message);
        Assert.Equal(new Dictionary<string, long> { ["held"] = 0 }, await Stored());
    }

    [Fact]
    public async Task Every_acknowledged_write_of_many_concurrent_writers_is_in_the_file()
    {
        var acknowledged = new List<string>();
        await using (var writer = new GroupCommitWriter(Open, IsDatabaseError))
        {
            var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
            {
                var mine = new List<string>();
                for (var k = 0; k < 40; k++)
                {
                    var id = $"w{w}-{k}";
                    await writer.Write(Insert(id, w * 100 + k), CancellationToken.None);
                    mine.Add(id);
                }
                return mine;
            })).ToArray();
            foreach (var ids in await Task.WhenAll(writers)) acknowledged.AddRange(ids);

            // Read while the writer still holds its connection: acknowledged means committed, not only queued.
            var stored = await Stored();
            Assert.Equal(16 * 40, stored.Count);
            Assert.All(acknowledged, id => Assert.True(stored.ContainsKey(id), id));
        }
    }

    [Fact]
    public async Task Closing_commits_what_is_queued_and_refuses_later_writes()
    {
        var writer = new GroupCommitWriter(Open, IsDatabaseError);
        var queued = Enumerable.Range(0, 10).Select(k => writer.Write(Insert("q" + k, k), CancellationToken.None)).ToArray();
        await writer.DisposeAsync();

        Assert.All(await Task.WhenAll(queued), changed => Assert.Equal(1, changed));
        Assert.Equal(10, (await Stored()).Count);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => writer.Write(Insert("late", 0), CancellationToken.None));
        Assert.Equal(10, (await Stored()).Count);
    }

    [Fact]
    public async Task A_cancelled_write_is_refused_before_it_is_queued()
    {
        await using var writer = new GroupCommitWriter(Open, IsDatabaseError);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.Write(Insert("x", 1), cancelled.Token));
        Assert.Empty(await Stored());
    }
}
