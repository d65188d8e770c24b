using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using Grains.Interfaces;

namespace Hosting.Store;

/// <summary>
/// One writing connection that commits together the write units waiting for it. A database file with one writer at a
/// time syncs every commit to disk before it returns, and that sync grows with the file; committing the units that
/// queued up during the previous sync in one transaction makes it one sync per batch instead of one per unit.
/// <list type="bullet">
/// <item>A unit is acknowledged only after its batch is committed; each unit runs once.</item>
/// <item>Each unit runs in its own savepoint: one that throws (a version conflict, a cancelled import, a statement the
/// database refuses) is undone alone and the others of its batch go on.</item>
/// <item>When the transaction itself fails (the file cannot be opened, the disk is full, the commit fails), every unit of
/// the batch not yet answered fails with <see cref="StorageUnavailableException"/> and nothing of it is stored; the
/// next batch opens a new connection.</item>
/// <item>A unit that waited longer than the wait limit before its batch started fails the same way without running, as
/// a write waiting on a locked file would.</item>
/// </list>
/// </summary>
public sealed class GroupCommitWriter : IAsyncDisposable
{
    /// <summary>Units in one transaction at most: bounds how long the first of a batch waits for the others.</summary>
    public const int MaxBatch = 64;

    readonly Func<CancellationToken, ValueTask<DbConnection>> open;
    readonly Func<Exception, bool> isDatabaseError;
    readonly TimeSpan maxWait;
    readonly Channel<Unit> waiting = Channel.CreateUnbounded<Unit>(new UnboundedChannelOptions { SingleReader = true });
    readonly Task loop;
    DbConnection? connection;

    /// <param name="open">Opens the writing connection.</param>
    /// <param name="isDatabaseError">Whether an exception comes from the database (the unit's own statement or the file).</param>
    /// <param name="maxWait">How long a unit may wait for its batch to start (default 30 s).</param>
    public GroupCommitWriter(Func<CancellationToken, ValueTask<DbConnection>> open, Func<Exception, bool> isDatabaseError, TimeSpan? maxWait = null)
    {
        this.open = open;
        this.isDatabaseError = isDatabaseError;
        this.maxWait = maxWait ?? TimeSpan.FromSeconds(30);
        loop = Task.Run(Loop);
    }

    /// <summary>Queues <paramref name="work"/>; the task ends when its batch is committed, or with the unit's failure.</summary>
    public Task<T> Write<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellation)
    {
        if (cancellation.IsCancellationRequested) return Task.FromCanceled<T>(cancellation);
        var unit = new Unit<T>(work);
        if (!waiting.Writer.TryWrite(unit))
            return Task.FromException<T>(new StorageUnavailableException("The store is shutting down; nothing was written."));
        return unit.Completion;
    }

    /// <summary>Commits what is queued, then stops taking units.</summary>
    public async ValueTask DisposeAsync()
    {
        waiting.Writer.TryComplete();
        await loop;
        if (connection is not null) await connection.DisposeAsync();
    }

    async Task Loop()
    {
        var batch = new List<Unit>(MaxBatch);
        while (await waiting.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && waiting.Reader.TryRead(out var unit))
            {
                if (unit.Waited > maxWait)
                    unit.Fail(new StorageUnavailableException($"The write waited {unit.Waited.TotalSeconds:F0} s for the database and was not made."));
                else
                    batch.Add(unit);
            }
            if (batch.Count == 0) continue;
            try
            {
                await Commit(batch);
            }
            catch (Exception e)
            {
                // Whatever went wrong, the batch's callers hear of it and the next batch starts on a new connection.
                var failure = await DropConnection(e);
                foreach (var unit in batch) unit.Fail(failure);
            }
        }
    }

    async Task Commit(IReadOnlyList<Unit> units)
    {
        connection ??= await open(CancellationToken.None);
        var transaction = await connection.BeginTransactionAsync();
        // A unit's own failure is told after the commit: it may rest on an earlier unit's change that the commit then loses.
        var failures = new List<(Unit Unit, Exception Error)>();
        foreach (var unit in units)
        {
            await transaction.SaveAsync("unit");
            try
            {
                await unit.Run(connection, transaction);
            }
            catch (Exception e)
            {
                try
                {
                    await transaction.RollbackAsync("unit");
                }
                catch (Exception undo) when (isDatabaseError(undo))
                {
                    // The database ended the whole transaction with the unit's error (a full disk, an I/O error): the batch fails.
                    throw AsStorageFailure(IsStorageError(e) ? e : undo);
                }
                failures.Add((unit, IsStorageError(e) ? AsStorageFailure(e) : e));
            }
            await transaction.ReleaseAsync("unit");
        }
        await transaction.CommitAsync();
        await transaction.DisposeAsync();
        foreach (var (unit, error) in failures) unit.Fail(error);
        foreach (var unit in units) unit.Succeed();
    }

    /// <summary>Closes the connection (which rolls back an open transaction); the error callers get.</summary>
    async Task<Exception> DropConnection(Exception error)
    {
        var failure = IsStorageError(error) ? AsStorageFailure(error) : error;
        var broken = connection;
        connection = null;
        if (broken is null) return failure;
        try
        {
            await broken.DisposeAsync();
        }
        catch (Exception closing)
        {
            failure = new StorageUnavailableException($"{failure.Message} Closing the connection failed too: {closing.GetType().Name}: {closing.Message}");
        }
        return failure;
    }

    bool IsStorageError(Exception e) => e is StorageUnavailableException || isDatabaseError(e);

    static Exception AsStorageFailure(Exception e) => e as StorageUnavailableException ?? StorageUnavailableException.From(e);

    abstract class Unit
    {
        readonly long queuedAt = Stopwatch.GetTimestamp();

        public TimeSpan Waited => Stopwatch.GetElapsedTime(queuedAt);

        public abstract Task Run(DbConnection connection, DbTransaction transaction);

        /// <summary>Completes the unit with its result, unless it already failed.</summary>
        public abstract void Succeed();

        public abstract void Fail(Exception error);
    }

    sealed class Unit<T>(Func<DbConnection, DbTransaction, Task<T>> work) : Unit
    {
        // Continuations run on their own, not inside the writer's loop.
        readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        T result = default!;

        public Task<T> Completion => completion.Task;

        public override async Task Run(DbConnection connection, DbTransaction transaction) => result = await work(connection, transaction);

        public override void Succeed() => completion.TrySetResult(result);

        public override void Fail(Exception error) => completion.TrySetException(error);
    }
}
