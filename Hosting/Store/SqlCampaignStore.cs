using System.Data;
using System.Data.Common;
using Grains.Interfaces;
using Grains.Store;
using Segmentation.Campaigns;
using Segmentation.Quality;

namespace Hosting.Store;

/// <summary>
/// <see cref="ICampaignStore"/> over ADO.NET, on the tables of <c>deploy/postgresql/05-campaign-tables.sql</c> (applied to
/// SQLite with SQLite's type names). The statements are the same for both except the bulk insert. Database errors
/// leave as <see cref="StorageUnavailableException"/>, which every caller (and grain call) understands.
/// </summary>
public abstract class SqlCampaignStore : ICampaignStore
{
    protected abstract ValueTask<DbConnection> OpenConnection(CancellationToken cancellation);

    /// <summary>True when the driver's asynchronous methods block the caller (Microsoft.Data.Sqlite).</summary>
    protected virtual bool BlockingDriver => false;

    async ValueTask<DbConnection> Open(CancellationToken cancellation = default)
    {
        try
        {
            // A blocking driver would hold a grain scheduler thread for every statement, and waits on the file's write lock
            // can take seconds: the rest of the call then runs on the thread pool instead (no grain state is touched here).
            if (BlockingDriver) return await Task.Run(() => OpenConnection(cancellation).AsTask(), cancellation).ConfigureAwait(false);
            return await OpenConnection(cancellation);
        }
        catch (Exception e) when (IsDatabaseError(e))
        {
            throw StorageUnavailableException.From(e);
        }
    }

    /// <summary>Errors of the database or of the way to it (not programming errors, which stay what they are).</summary>
    protected static bool IsDatabaseError(Exception e) => e is DbException or TimeoutException or IOException or System.Net.Sockets.SocketException
        || (e is InvalidOperationException && e.InnerException is not null && IsDatabaseError(e.InnerException));

    static async Task<DbTransaction> Begin(DbConnection connection)
    {
        try
        {
            return await connection.BeginTransactionAsync();
        }
        catch (Exception e) when (IsDatabaseError(e))
        {
            throw StorageUnavailableException.From(e);
        }
    }

    static async Task Commit(DbTransaction transaction)
    {
        try
        {
            await transaction.CommitAsync();
        }
        catch (Exception e) when (IsDatabaseError(e))
        {
            throw StorageUnavailableException.From(e);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction and returns its result once the transaction is committed. The
    /// work touches the database only through the connection and transaction it is given. A work of
    /// <paramref name="oneStatement"/> may be given no transaction (a single statement is atomic on its own); with
    /// SQLite it still shares its batch's transaction (see <see cref="SqliteCampaignStore"/>).
    /// </summary>
    protected virtual Task<T> Write<T>(Func<DbConnection, DbTransaction?, Task<T>> work, CancellationToken cancellation = default, bool oneStatement = false) =>
        // On the thread pool: the work touches no grain state, and its statements' continuations then do not each queue on
        // the calling grain's scheduler.
        Task.Run(async () =>
        {
            await using var connection = await Open(cancellation);
            if (oneStatement) return await work(connection, null);
            await using var transaction = await Begin(connection);
            var result = await work(connection, transaction);
            await Commit(transaction);
            return result;
        }, cancellation);

    /// <summary>Inserts the rows (skipping stored ones) in <paramref name="transaction"/>; returns the ids that were inserted.</summary>
    protected abstract Task<HashSet<string>> InsertNewInstances(
        DbConnection connection, DbTransaction? transaction, string campaignId, IReadOnlyList<NewInstance> instances, long firstSeq, CancellationToken cancellation);

    public async Task<InstanceInsertResult> InsertInstances(string campaignId, IReadOnlyList<NewInstance> instances, CancellationToken cancellation = default)
    {
        if (instances.Count == 0) return new InstanceInsertResult(0, []);
        return await Write(async (connection, transaction) =>
        {
            await Execute(connection, transaction,
                "INSERT INTO annotation_campaign_counts (campaign_id, imported, next_seq) VALUES (@c, 0, 0) ON CONFLICT (campaign_id) DO NOTHING",
                ("c", campaignId));
            var firstSeq = Convert.ToInt64(await Scalar(connection, transaction,
                "SELECT next_seq FROM annotation_campaign_counts WHERE campaign_id = @c", ("c", campaignId)));
            HashSet<string> inserted;
            try
            {
                inserted = await InsertNewInstances(connection, transaction, campaignId, instances, firstSeq, cancellation);
            }
            catch (Exception e) when (IsDatabaseError(e))
            {
                throw StorageUnavailableException.From(e);
            }
            await Execute(connection, transaction,
                "UPDATE annotation_campaign_counts SET imported = imported + @n, next_seq = next_seq + @s WHERE campaign_id = @c",
                ("n", (long)inserted.Count), ("s", (long)instances.Count), ("c", campaignId));
            var stored = new List<StoredInstance>();
            if (inserted.Count < instances.Count)
            {
                foreach (var item in instances)
                {
                    if (inserted.Contains(item.InstanceId)) continue;
                    var row = await ReadInstance(connection, transaction, campaignId, item.InstanceId);
                    if (row is not null) stored.Add(row);
                }
            }
            return new InstanceInsertResult(inserted.Count, stored);
        }, cancellation);
    }

    public async Task<StoredInstance?> ReadInstance(string campaignId, string instanceId)
    {
        await using var connection = await Open();
        return await ReadInstance(connection, null, campaignId, instanceId);
    }

    static async Task<StoredInstance?> ReadInstance(DbConnection connection, DbTransaction? transaction, string campaignId, string instanceId)
    {
        var rows = await Query(connection, transaction,
            $"SELECT {InstanceColumns} FROM annotation_instance WHERE campaign_id = @c AND instance_id = @i",
            ReadStoredInstance, ("c", campaignId), ("i", instanceId));
        return rows.Count == 0 ? null : rows[0];
    }

    const string InstanceColumns = "instance_id, shard, seq, image_path, status, round, state, version";

    static StoredInstance ReadStoredInstance(DbDataReader r) =>
        new(r.GetString(0), r.GetInt32(1), r.GetInt64(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5), (byte[])r.GetValue(6), r.GetInt64(7));

    public Task<long> WriteInstance(string campaignId, string instanceId, InstanceStateRow row, long expectedVersion) =>
        Write(async (connection, transaction) =>
        {
            var changed = await Execute(connection, transaction,
                "UPDATE annotation_instance SET state = @s, status = @st, round = @r, version = @v + 1 WHERE campaign_id = @c AND instance_id = @i AND version = @v",
                ("s", row.State), ("st", row.Status), ("r", row.Round), ("v", expectedVersion), ("c", campaignId), ("i", instanceId));
            if (changed != 1)
                throw new StoreConflictException($"Instance {campaignId}/{instanceId} is not at version {expectedVersion} (or is missing); its state was not written.");
            return expectedVersion + 1;
        }, oneStatement: true);

    public async Task<IReadOnlyList<StoredInstance>> ReadInstances(string campaignId, IReadOnlyList<string> instanceIds)
    {
        if (instanceIds.Count == 0) return [];
        await using var connection = await Open();
        var rows = new List<StoredInstance>();
        foreach (var chunk in instanceIds.Chunk(500))
        {
            var (list, parameters) = InList(chunk, ("c", campaignId));
            rows.AddRange(await Query(connection, null,
                $"SELECT {InstanceColumns} FROM annotation_instance WHERE campaign_id = @c AND instance_id IN ({list})", ReadStoredInstance, parameters));
        }
        return rows;
    }

    public async Task<IReadOnlySet<string>> WriteInstances(string campaignId, IReadOnlyList<(string InstanceId, InstanceStateRow Row, long ExpectedVersion)> writes)
    {
        if (writes.Count == 0) return new HashSet<string>();
        return await Write(async (connection, transaction) =>
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            await using var command = Command(connection, transaction,
                "UPDATE annotation_instance SET state = @s, status = @st, round = @r, version = @v + 1 WHERE campaign_id = @c AND instance_id = @i AND version = @v",
                ("s", Array.Empty<byte>()), ("st", 0), ("r", 0), ("v", 0L), ("c", campaignId), ("i", ""));
            try
            {
                foreach (var (id, row, version) in writes)
                {
                    command.Parameters[0].Value = row.State;
                    command.Parameters[1].Value = row.Status;
                    command.Parameters[2].Value = row.Round;
                    command.Parameters[3].Value = version;
                    command.Parameters[5].Value = id;
                    if (await command.ExecuteNonQueryAsync() == 1) written.Add(id);
                }
            }
            catch (Exception e) when (IsDatabaseError(e))
            {
                throw StorageUnavailableException.From(e);
            }
            return written;
        });
    }

    /// <summary>"@k0, @k1, ..." for the values, with the parameters (plus the extra ones).</summary>
    static (string List, (string, object?)[] Parameters) InList(IReadOnlyList<string> values, params (string, object?)[] extra) =>
        (string.Join(", ", values.Select((_, k) => "@k" + k)), values.Select((v, k) => ("k" + k, (object?)v)).Concat(extra).ToArray());

    public async Task<IReadOnlyList<InstanceSequence>> InstancesAfter(string campaignId, int shard, long afterSeq, int take)
    {
        await using var connection = await Open();
        return await Query(connection, null,
            "SELECT instance_id, seq FROM annotation_instance WHERE campaign_id = @c AND shard = @s AND seq > @a ORDER BY seq LIMIT @t",
            r => new InstanceSequence(r.GetString(0), r.GetInt64(1)), ("c", campaignId), ("s", shard), ("a", afterSeq), ("t", take));
    }

    public async Task<IReadOnlyList<StoredInstance>> InstancePage(string campaignId, InstancePageCursor? after, int take, int? status)
    {
        await using var connection = await Open();
        var filter = status is null ? "" : " AND status = @st";
        var cursor = after is null ? "" : " AND (image_path, seq) > (@p, @q)";
        return await Query(connection, null,
            $"SELECT {InstanceColumns} FROM annotation_instance WHERE campaign_id = @c{cursor}{filter} ORDER BY image_path, seq LIMIT @t",
            ReadStoredInstance, ("c", campaignId), ("p", after?.ImagePath ?? ""), ("q", after?.Seq ?? 0L), ("st", status ?? 0), ("t", take));
    }

    public async Task<long> ImportedCount(string campaignId)
    {
        await using var connection = await Open();
        var value = await Scalar(connection, null, "SELECT imported FROM annotation_campaign_counts WHERE campaign_id = @c", ("c", campaignId));
        return value is null or DBNull ? 0 : Convert.ToInt64(value);
    }

    public async Task<QueueCounts?> ReadQueueCounts(QueueShard shard)
    {
        await using var connection = await Open();
        var rows = await Query(connection, null,
            "SELECT waiting, leased, corrected, accepted, skipped, expired, next_seq FROM annotation_queue_counts WHERE campaign_id = @c AND round = @r AND shard = @s",
            r => new QueueCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6)),
            ShardParameters(shard));
        return rows.Count == 0 ? null : rows[0];
    }

    const string QueueColumns = "instance_id, state, no_front, front_rank, priority, seq, annotator_id, expires_at, leased_by";

    static QueueEntry ReadQueueEntry(DbDataReader r) => new(
        r.GetString(0), (QueueEntryState)r.GetInt32(1), r.GetInt32(2) == 0 ? r.GetDouble(3) : null, r.GetInt32(4), r.GetInt64(5),
        r.IsDBNull(6) ? null : r.GetString(6), r.GetInt64(7), r.GetString(8));

    static (string, object?)[] ShardParameters(QueueShard shard) => [("c", shard.CampaignId), ("r", shard.Round), ("s", shard.Shard)];

    public async Task<IReadOnlyList<QueueEntry>> ReadQueueEntries(QueueShard shard, QueueEntryState state, QueueEntry? after, int take)
    {
        await using var connection = await Open();
        // Keyset paging over the serving order (no_front, front_rank, priority, seq, instance_id).
        var cursor = after is null ? "" :
            " AND (no_front, front_rank, priority, seq, instance_id) > (@anf, @afr, @ap, @aq, @ai)";
        var parameters = ShardParameters(shard).Concat([
            ("st", (object?)(int)state), ("t", take),
            ("anf", after?.FrontRank is null ? 1 : 0), ("afr", after?.FrontRank ?? 0.0), ("ap", after?.Priority ?? 0),
            ("aq", after?.Sequence ?? 0L), ("ai", after?.InstanceId ?? "")]).ToArray();
        return await Query(connection, null,
            $"SELECT {QueueColumns} FROM annotation_queue_entry WHERE campaign_id = @c AND round = @r AND shard = @s AND state = @st{cursor} " +
            "ORDER BY no_front, front_rank, priority, seq, instance_id LIMIT @t",
            ReadQueueEntry, parameters);
    }

    public async Task<QueueEntry?> ReadQueueEntry(QueueShard shard, string instanceId)
    {
        await using var connection = await Open();
        var rows = await Query(connection, null,
            $"SELECT {QueueColumns} FROM annotation_queue_entry WHERE campaign_id = @c AND round = @r AND shard = @s AND instance_id = @i",
            ReadQueueEntry, ShardParameters(shard).Append(("i", (object?)instanceId)).ToArray());
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlySet<string>> ExistingQueueEntries(QueueShard shard, IReadOnlyList<string> instanceIds)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (instanceIds.Count == 0) return found;
        await using var connection = await Open();
        foreach (var chunk in instanceIds.Chunk(500))
        {
            var (list, parameters) = InList(chunk, ShardParameters(shard));
            foreach (var id in await Query(connection, null,
                $"SELECT instance_id FROM annotation_queue_entry WHERE campaign_id = @c AND round = @r AND shard = @s AND instance_id IN ({list})",
                r => r.GetString(0), parameters))
                found.Add(id);
        }
        return found;
    }

    public async Task WriteQueue(QueueShard shard, IReadOnlyList<QueueEntry> changed, QueueCounts counts)
    {
        await Write(async (connection, transaction) =>
        {
            foreach (var e in changed)
            {
                await Execute(connection, transaction,
                    $"INSERT INTO annotation_queue_entry (campaign_id, round, shard, {QueueColumns}) " +
                    "VALUES (@c, @r, @s, @i, @st, @nf, @fr, @p, @q, @a, @e, @lb) " +
                    "ON CONFLICT (campaign_id, round, shard, instance_id) DO UPDATE SET state = excluded.state, no_front = excluded.no_front, " +
                    "front_rank = excluded.front_rank, priority = excluded.priority, seq = excluded.seq, annotator_id = excluded.annotator_id, " +
                    "expires_at = excluded.expires_at, leased_by = excluded.leased_by",
                    ShardParameters(shard).Concat([
                        ("i", (object?)e.InstanceId), ("st", (int)e.State), ("nf", e.FrontRank is null ? 1 : 0), ("fr", e.FrontRank ?? 0.0),
                        ("p", e.Priority), ("q", e.Sequence), ("a", e.AnnotatorId), ("e", e.ExpiresAtTicks), ("lb", e.LeasedBy)]).ToArray());
            }
            await Execute(connection, transaction,
                "INSERT INTO annotation_queue_counts (campaign_id, round, shard, waiting, leased, corrected, accepted, skipped, expired, next_seq) " +
                "VALUES (@c, @r, @s, @w, @l, @co, @ac, @sk, @ex, @n) " +
                "ON CONFLICT (campaign_id, round, shard) DO UPDATE SET waiting = excluded.waiting, leased = excluded.leased, corrected = excluded.corrected, " +
                "accepted = excluded.accepted, skipped = excluded.skipped, expired = excluded.expired, next_seq = excluded.next_seq",
                ShardParameters(shard).Concat([
                    ("w", (object?)counts.Waiting), ("l", counts.Leased), ("co", counts.Corrected), ("ac", counts.Accepted),
                    ("sk", counts.Skipped), ("ex", counts.Expired), ("n", counts.NextSequence)]).ToArray());
            return 0;
        });
    }

    const string AnswerColumns = "campaign_id, instance_id, submission_id, annotator_id, round, clicks, seconds, skipped, at";

    static AnswerRow ReadAnswer(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5), r.GetDouble(6), r.GetInt32(7) != 0, r.GetInt64(8));

    public async Task<bool> RecordAnswer(AnswerRow a, IReadOnlyList<AnswerCounter> counters)
    {
        return await Write(async (connection, transaction) =>
        {
            var inserted = await Execute(connection, transaction,
                $"INSERT INTO annotation_answer ({AnswerColumns}) VALUES (@c, @i, @sub, @a, @r, @k, @sec, @sk, @at) " +
                "ON CONFLICT (campaign_id, instance_id, submission_id) DO NOTHING",
                ("c", a.CampaignId), ("i", a.InstanceId), ("sub", a.SubmissionId), ("a", a.AnnotatorId), ("r", a.Round), ("k", a.Clicks),
                ("sec", a.Seconds), ("sk", a.Skipped ? 1 : 0), ("at", a.AtTicks));
            if (inserted == 0) return false;
            await EnsureAnnotator(connection, transaction, a.CampaignId, a.AnnotatorId);
            // Totals follow AnnotatorStatistics: skips count apart, and only answered (not skipped) instances count as instances.
            var countsInstance = !a.Skipped && !(await Scalar(connection, transaction,
                "SELECT 1 FROM annotation_answer WHERE campaign_id = @c AND instance_id = @i AND annotator_id = @a AND skipped = 0 AND submission_id <> @sub LIMIT 1",
                ("c", a.CampaignId), ("i", a.InstanceId), ("a", a.AnnotatorId), ("sub", a.SubmissionId)) is not (null or DBNull));
            await Execute(connection, transaction,
                "UPDATE annotation_annotator_totals SET instances = instances + @ni, answers = answers + @na, clicks = clicks + @nc, " +
                "seconds = seconds + @ns, skipped = skipped + @nk WHERE campaign_id = @c AND annotator_id = @a",
                ("ni", countsInstance ? 1L : 0L), ("na", a.Skipped ? 0L : 1L), ("nc", a.Skipped ? 0L : (long)a.Clicks),
                ("ns", a.Skipped ? 0.0 : a.Seconds), ("nk", a.Skipped ? 1L : 0L), ("c", a.CampaignId), ("a", a.AnnotatorId));
            if (counters.Count > 0) await AddCounters(connection, transaction, a.CampaignId, counters);
            if (a.Quality is { } q) await AddQuality(connection, transaction, a.CampaignId, a.AnnotatorId, q);
            return true;
        });
    }

    static Task AddQuality(DbConnection connection, DbTransaction? transaction, string campaignId, string annotatorId, AnswerQuality q) =>
        Execute(connection, transaction,
            "INSERT INTO annotation_annotator_quality (campaign_id, annotator_id, judged_clicks, wrong_polarity_clicks, " +
            "first_clicks_judged, first_clicks_correcting, accepted_with_reference, accepted_bad) " +
            "VALUES (@c, @a, @j, @w, @fj, @fc, @ar, @ab) ON CONFLICT (campaign_id, annotator_id) DO UPDATE SET " +
            "judged_clicks = annotation_annotator_quality.judged_clicks + excluded.judged_clicks, " +
            "wrong_polarity_clicks = annotation_annotator_quality.wrong_polarity_clicks + excluded.wrong_polarity_clicks, " +
            "first_clicks_judged = annotation_annotator_quality.first_clicks_judged + excluded.first_clicks_judged, " +
            "first_clicks_correcting = annotation_annotator_quality.first_clicks_correcting + excluded.first_clicks_correcting, " +
            "accepted_with_reference = annotation_annotator_quality.accepted_with_reference + excluded.accepted_with_reference, " +
            "accepted_bad = annotation_annotator_quality.accepted_bad + excluded.accepted_bad",
            ("c", campaignId), ("a", annotatorId), ("j", (long)q.JudgedClicks), ("w", (long)q.WrongPolarityClicks),
            ("fj", q.FirstClickJudged ? 1L : 0L), ("fc", q.FirstClickCorrects ? 1L : 0L),
            ("ar", q.AcceptedWithReference ? 1L : 0L), ("ab", q.AcceptedBad ? 1L : 0L));

    public Task RecordPredictedGain(string campaignId, string instanceId, int round, string annotatorId, double gain, int clicks)
    {
        if (!double.IsFinite(gain)) throw new ArgumentOutOfRangeException(nameof(gain), gain, "A gain must be a number.");
        return Write(async (connection, transaction) => await Execute(connection, transaction,
            "INSERT INTO annotation_predicted_gain (campaign_id, instance_id, round, annotator_id, gain, clicks) VALUES (@c, @i, @r, @a, @g, @k) " +
            "ON CONFLICT (campaign_id, instance_id, round) DO NOTHING",
            ("c", campaignId), ("i", instanceId), ("r", round), ("a", annotatorId), ("g", gain), ("k", clicks)), oneStatement: true);
    }

    public async Task<IReadOnlyList<(string AnnotatorId, long Rounds, double GainSum, long Clicks)>> PredictedGains(string campaignId)
    {
        await using var connection = await Open();
        return await Query(connection, null,
            "SELECT annotator_id, count(*), sum(gain), sum(clicks) FROM annotation_predicted_gain WHERE campaign_id = @c GROUP BY annotator_id ORDER BY annotator_id",
            r => (r.GetString(0), Convert.ToInt64(r.GetValue(1)), Convert.ToDouble(r.GetValue(2)), Convert.ToInt64(r.GetValue(3))), ("c", campaignId));
    }

    public Task AddGold(string campaignId, string instanceId, long addedAtTicks) =>
        Write(async (connection, transaction) => await Execute(connection, transaction,
            "INSERT INTO annotation_gold (campaign_id, instance_id, added_at) VALUES (@c, @i, @t) ON CONFLICT (campaign_id, instance_id) DO NOTHING",
            ("c", campaignId), ("i", instanceId), ("t", addedAtTicks)), oneStatement: true);

    public async Task<GoldPosition?> NextGold(string campaignId, GoldPosition? after)
    {
        await using var connection = await Open();
        var rows = after is null
            ? await Query(connection, null,
                "SELECT added_at, instance_id FROM annotation_gold WHERE campaign_id = @c ORDER BY added_at, instance_id LIMIT 1",
                r => new GoldPosition(r.GetInt64(0), r.GetString(1)), ("c", campaignId))
            : await Query(connection, null,
                "SELECT added_at, instance_id FROM annotation_gold WHERE campaign_id = @c AND (added_at > @t OR (added_at = @t AND instance_id > @i)) " +
                "ORDER BY added_at, instance_id LIMIT 1",
                r => new GoldPosition(r.GetInt64(0), r.GetString(1)), ("c", campaignId), ("t", after.AddedAt), ("i", after.InstanceId));
        return rows.Count == 0 ? null : rows[0];
    }

    const string GoldAnswerColumns = "campaign_id, submission_id, instance_id, annotator_id, clicks, seconds, skipped, gain, at";

    public async Task<bool> RecordGoldAnswer(GoldAnswerRow a)
    {
        if (a.Gain is { } g && !double.IsFinite(g)) throw new ArgumentOutOfRangeException(nameof(a), g, "A gain must be a number.");
        return await Write(async (connection, transaction) =>
        {
            var inserted = await Execute(connection, transaction,
                $"INSERT INTO annotation_gold_answer ({GoldAnswerColumns}) VALUES (@c, @s, @i, @a, @k, @sec, @sk, @g, @at) " +
                "ON CONFLICT (campaign_id, submission_id) DO NOTHING",
                ("c", a.CampaignId), ("s", a.SubmissionId), ("i", a.InstanceId), ("a", a.AnnotatorId), ("k", a.Clicks), ("sec", a.Seconds),
                ("sk", a.Skipped ? 1 : 0), ("g", a.Gain), ("at", a.AtTicks));
            if (inserted == 0) return false;
            if (a.Quality is { } q) await AddQuality(connection, transaction, a.CampaignId, a.AnnotatorId, q);
            return true;
        });
    }

    public async Task<GoldAnswerRow?> GoldAnswer(string campaignId, string submissionId)
    {
        await using var connection = await Open();
        var rows = await Query(connection, null,
            $"SELECT {GoldAnswerColumns} FROM annotation_gold_answer WHERE campaign_id = @c AND submission_id = @s",
            r => new GoldAnswerRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetDouble(5), r.GetInt32(6) != 0,
                r.IsDBNull(7) ? null : r.GetDouble(7), r.GetInt64(8), null),
            ("c", campaignId), ("s", submissionId));
        return rows.Count == 0 ? null : rows[0];
    }

    public Task RecordReferenceScores(string campaignId, IReadOnlyList<ReferenceScore> scores) =>
        Write(async (connection, transaction) =>
        {
            foreach (var s in scores)
                await Execute(connection, transaction,
                    "INSERT INTO annotation_reference_score (campaign_id, instance_id, round, class_name, iou, boundary_f) VALUES (@c, @i, @r, @k, @u, @b) " +
                    "ON CONFLICT (campaign_id, instance_id, round) DO NOTHING",
                    ("c", campaignId), ("i", s.InstanceId), ("r", s.Round), ("k", s.ClassName), ("u", s.IoU), ("b", s.BoundaryF));
            return 0;
        });

    public Task RecordPaintingAgreement(string campaignId, string instanceId, string className, double iou, double boundaryF) =>
        Write(async (connection, transaction) => await Execute(connection, transaction,
            "INSERT INTO annotation_painting_agreement (campaign_id, instance_id, class_name, iou, boundary_f) VALUES (@c, @i, @k, @u, @b) " +
            "ON CONFLICT (campaign_id, instance_id) DO NOTHING",
            ("c", campaignId), ("i", instanceId), ("k", className), ("u", iou), ("b", boundaryF)), oneStatement: true);

    public async Task<IReadOnlyList<ReferenceScore>> ReferenceScores(string campaignId)
    {
        await using var connection = await Open();
        return await Query(connection, null,
            "SELECT instance_id, class_name, round, iou, boundary_f FROM annotation_reference_score WHERE campaign_id = @c ORDER BY instance_id, round",
            r => new ReferenceScore(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetDouble(3), r.GetDouble(4)), ("c", campaignId));
    }

    public async Task<IReadOnlyList<ReferenceScore>> PaintingAgreements(string campaignId)
    {
        await using var connection = await Open();
        return await Query(connection, null,
            "SELECT instance_id, class_name, iou, boundary_f FROM annotation_painting_agreement WHERE campaign_id = @c ORDER BY instance_id",
            r => new ReferenceScore(r.GetString(0), r.GetString(1), 0, r.GetDouble(2), r.GetDouble(3)), ("c", campaignId));
    }

    public async Task<IReadOnlyList<AnnotatorGoldRow>> AnnotatorGold(string campaignId)
    {
        await using var connection = await Open();
        return await Query(connection, null,
            "SELECT annotator_id, count(*), sum(skipped), sum(seconds), count(gain), coalesce(sum(gain), 0), " +
            "coalesce(sum(CASE WHEN gain IS NULL THEN 0 ELSE clicks END), 0) " +
            "FROM annotation_gold_answer WHERE campaign_id = @c GROUP BY annotator_id ORDER BY annotator_id",
            r => new AnnotatorGoldRow(r.GetString(0), Convert.ToInt64(r.GetValue(1)), Convert.ToInt64(r.GetValue(2)), Convert.ToDouble(r.GetValue(3)),
                Convert.ToInt64(r.GetValue(4)), Convert.ToDouble(r.GetValue(5)), Convert.ToInt64(r.GetValue(6))),
            ("c", campaignId));
    }

    /// <summary>One statement adding to the counters in key order: concurrent answers lock shared rows in the same order.</summary>
    static Task AddCounters(DbConnection connection, DbTransaction? transaction, string campaignId, IReadOnlyList<AnswerCounter> counters)
    {
        var ordered = counters.OrderBy(c => c.Kind).ThenBy(c => c.K1).ThenBy(c => c.K2).ToArray();
        var values = new System.Text.StringBuilder();
        var parameters = new List<(string, object?)> { ("c", campaignId) };
        for (var i = 0; i < ordered.Length; i++)
        {
            var c = ordered[i];
            values.Append(i == 0 ? "" : ", ").Append($"(@c, @kind{i}, @ka{i}, @kb{i}, @n{i}, @f{i}, @s{i}, @t0{i}, @t1{i})");
            parameters.AddRange([($"kind{i}", (int)c.Kind), ($"ka{i}", c.K1), ($"kb{i}", c.K2), ($"n{i}", c.Answers), ($"f{i}", c.Finished),
                ($"s{i}", c.Seconds), ($"t0{i}", c.FirstAtTicks), ($"t1{i}", c.LastAtTicks)]);
        }
        return Execute(connection, transaction,
            $"INSERT INTO annotation_answer_counter ({CounterColumns}) VALUES {values} " +
            "ON CONFLICT (campaign_id, kind, k1, k2) DO UPDATE SET answers = annotation_answer_counter.answers + excluded.answers, " +
            "finished = annotation_answer_counter.finished + excluded.finished, seconds = annotation_answer_counter.seconds + excluded.seconds, " +
            "first_at = CASE WHEN excluded.first_at < annotation_answer_counter.first_at THEN excluded.first_at ELSE annotation_answer_counter.first_at END, " +
            "last_at = CASE WHEN excluded.last_at > annotation_answer_counter.last_at THEN excluded.last_at ELSE annotation_answer_counter.last_at END",
            parameters.ToArray());
    }

    const string CounterColumns = "campaign_id, kind, k1, k2, answers, finished, seconds, first_at, last_at";

    public async Task BackfillAnswerCounters(string campaignId, Func<AnswerRow, IReadOnlyList<AnswerCounter>> countersOf)
    {
        const int page = 5000;
        await Write(async (connection, transaction) =>
        {
            var marked = await Execute(connection, transaction,
                $"INSERT INTO annotation_answer_counter ({CounterColumns}) VALUES (@c, @kind, 0, 0, 0, 0, 0, 0, 0) ON CONFLICT DO NOTHING",
                ("c", campaignId), ("kind", (int)AnswerCounterKind.Backfilled));
            if (marked == 0) return 0;
            // The total row exists and is locked until the end: answers recorded meanwhile wait, and every answer counted so far
            // is at or after its first_at, so the answers before it are exactly the uncounted ones.
            await Execute(connection, transaction,
                $"INSERT INTO annotation_answer_counter ({CounterColumns}) VALUES (@c, @kind, 0, 0, 0, 0, 0, @never, 0) ON CONFLICT DO NOTHING",
                ("c", campaignId), ("kind", (int)AnswerCounterKind.Total), ("never", long.MaxValue));
            await Execute(connection, transaction,
                "UPDATE annotation_answer_counter SET answers = answers WHERE campaign_id = @c AND kind = @kind AND k1 = 0 AND k2 = 0",
                ("c", campaignId), ("kind", (int)AnswerCounterKind.Total));
            var cutoff = Convert.ToInt64(await Scalar(connection, transaction,
                "SELECT first_at FROM annotation_answer_counter WHERE campaign_id = @c AND kind = @kind AND k1 = 0 AND k2 = 0",
                ("c", campaignId), ("kind", (int)AnswerCounterKind.Total)));

            IReadOnlyList<AnswerCounter> sums = [];
            (string InstanceId, string SubmissionId) after = ("", "");
            while (true)
            {
                var answers = await Query(connection, transaction,
                    $"SELECT {AnswerColumns} FROM annotation_answer WHERE campaign_id = @c AND at < @cut AND (instance_id, submission_id) > (@i, @s) " +
                    "ORDER BY instance_id, submission_id LIMIT @t",
                    ReadAnswer, ("c", campaignId), ("cut", cutoff), ("i", after.InstanceId), ("s", after.SubmissionId), ("t", page));
                sums = Segmentation.Campaigns.AnswerCounters.Sum(sums.Concat(answers.SelectMany(countersOf)));
                if (answers.Count < page) break;
                after = (answers[^1].InstanceId, answers[^1].SubmissionId);
            }
            foreach (var chunk in sums.Chunk(500)) await AddCounters(connection, transaction, campaignId, chunk);
            return 0;
        });
    }

    public async Task<IReadOnlyList<AnswerCounter>> AnswerCounters(string campaignId, IReadOnlyList<AnswerCounterKind> kinds)
    {
        if (kinds.Count == 0) return [];
        await using var connection = await Open();
        var list = string.Join(", ", kinds.Select(k => (int)k));
        return await Query(connection, null,
            $"SELECT {CounterColumns} FROM annotation_answer_counter WHERE campaign_id = @c AND kind IN ({list}) ORDER BY kind, k1, k2",
            r => new AnswerCounter((AnswerCounterKind)Convert.ToInt32(r.GetValue(1)), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5),
                r.GetDouble(6), r.GetInt64(7), r.GetInt64(8)),
            ("c", campaignId));
    }

    public async Task<bool> HasAnswer(string campaignId, string instanceId, string submissionId)
    {
        await using var connection = await Open();
        return await Scalar(connection, null,
            "SELECT 1 FROM annotation_answer WHERE campaign_id = @c AND instance_id = @i AND submission_id = @s",
            ("c", campaignId), ("i", instanceId), ("s", submissionId)) is not (null or DBNull);
    }

    public async Task<IReadOnlyList<AnswerRow>> RecentAnswers(string annotatorId, int take)
    {
        await using var connection = await Open();
        return await Query(connection, null,
            $"SELECT {AnswerColumns} FROM annotation_answer WHERE annotator_id = @a ORDER BY at DESC LIMIT @t",
            ReadAnswer, ("a", annotatorId), ("t", take));
    }

    public Task EnsureAnnotator(string campaignId, string annotatorId) =>
        Write((connection, transaction) => EnsureAnnotator(connection, transaction, campaignId, annotatorId), oneStatement: true);

    static Task<int> EnsureAnnotator(DbConnection connection, DbTransaction? transaction, string campaignId, string annotatorId) =>
        Execute(connection, transaction,
            "INSERT INTO annotation_annotator_totals (campaign_id, annotator_id, instances, answers, clicks, seconds, skipped) " +
            "VALUES (@c, @a, 0, 0, 0, 0, 0) ON CONFLICT (campaign_id, annotator_id) DO NOTHING",
            ("c", campaignId), ("a", annotatorId));

    const string TotalsColumns = "campaign_id, annotator_id, instances, answers, clicks, seconds, skipped";

    static AnnotatorTotals ReadTotals(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetDouble(5), r.GetInt64(6));

    public async Task<IReadOnlyList<AnnotatorTotals>> CampaignAnnotators(string campaignId)
    {
        await using var connection = await Open();
        return await Query(connection, null,
            $"SELECT {TotalsColumns} FROM annotation_annotator_totals WHERE campaign_id = @c ORDER BY annotator_id", ReadTotals, ("c", campaignId));
    }

    public async Task<IReadOnlyList<AnnotatorQualityRow>> AnnotatorQuality(string campaignId)
    {
        await using var connection = await Open();
        return await Query(connection, null,
            "SELECT annotator_id, judged_clicks, wrong_polarity_clicks, first_clicks_judged, first_clicks_correcting, accepted_with_reference, accepted_bad, " +
            "gain_rounds, gain_sum, gain_clicks FROM annotation_annotator_quality WHERE campaign_id = @c ORDER BY annotator_id",
            r => new AnnotatorQualityRow(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6),
                r.GetInt64(7), r.GetDouble(8), r.GetInt64(9)),
            ("c", campaignId));
    }

    public async Task<bool> RecordGain(string campaignId, string instanceId, int round, string annotatorId, double gain, int clicks)
    {
        if (!double.IsFinite(gain)) throw new ArgumentOutOfRangeException(nameof(gain), gain, "A gain must be a number.");
        return await Write(async (connection, transaction) =>
        {
            var inserted = await Execute(connection, transaction,
                "INSERT INTO annotation_round_gain (campaign_id, instance_id, round, annotator_id, gain, clicks) VALUES (@c, @i, @r, @a, @g, @k) " +
                "ON CONFLICT (campaign_id, instance_id, round) DO NOTHING",
                ("c", campaignId), ("i", instanceId), ("r", round), ("a", annotatorId), ("g", gain), ("k", clicks));
            if (inserted == 0) return false;
            await Execute(connection, transaction,
                "INSERT INTO annotation_annotator_quality (campaign_id, annotator_id, judged_clicks, wrong_polarity_clicks, first_clicks_judged, " +
                "first_clicks_correcting, accepted_with_reference, accepted_bad, gain_rounds, gain_sum, gain_clicks) " +
                "VALUES (@c, @a, 0, 0, 0, 0, 0, 0, 1, @g, @k) ON CONFLICT (campaign_id, annotator_id) DO UPDATE SET " +
                "gain_rounds = annotation_annotator_quality.gain_rounds + 1, gain_sum = annotation_annotator_quality.gain_sum + excluded.gain_sum, " +
                "gain_clicks = annotation_annotator_quality.gain_clicks + excluded.gain_clicks",
                ("c", campaignId), ("a", annotatorId), ("g", gain), ("k", (long)clicks));
            return true;
        });
    }

    public async Task<IReadOnlyList<AnnotatorTotals>> AnnotatorCampaigns(string annotatorId)
    {
        await using var connection = await Open();
        return await Query(connection, null,
            $"SELECT {TotalsColumns} FROM annotation_annotator_totals WHERE annotator_id = @a ORDER BY campaign_id", ReadTotals, ("a", annotatorId));
    }

    const string QualityColumns =
        "instance_id, shard, round, status, exhausted, finished_at, extra_rounds, training, true_iou, " +
        "s_clicks, s_round, s_change, s_max_distance, s_mean_distance, s_model_score, predicted, scored_version";

    static QualityRow ReadQuality(DbDataReader r) => new(
        r.GetString(0), r.GetInt32(1), r.GetInt32(2), (Grains.Interfaces.InstanceStatus)r.GetInt32(3), r.GetInt32(4) != 0, r.GetInt64(5),
        r.GetInt32(6), r.GetInt32(7) != 0, r.IsDBNull(8) ? null : r.GetDouble(8),
        r.IsDBNull(9) ? null : new Grains.Interfaces.QualitySignals(r.GetInt32(9), r.GetInt32(10), r.GetDouble(11), r.GetDouble(12), r.GetDouble(13),
            r.IsDBNull(14) ? null : r.GetDouble(14)),
        r.IsDBNull(15) ? null : r.GetDouble(15), r.GetInt32(16));

    public async Task WriteQuality(string campaignId, QualityRow q)
    {
        await Write(async (connection, transaction) =>
        {
            var wasRanked = await Scalar(connection, transaction,
                "SELECT 1 FROM annotation_quality_entry WHERE campaign_id = @c AND instance_id = @i AND predicted IS NOT NULL AND status <> @skipped",
                ("c", campaignId), ("i", q.InstanceId), ("skipped", (int)Grains.Interfaces.InstanceStatus.Skipped)) is not (null or DBNull);
            var s = q.Signals;
            await Execute(connection, transaction,
                $"INSERT INTO annotation_quality_entry (campaign_id, {QualityColumns}) " +
                "VALUES (@c, @i, @sh, @r, @st, @ex, @fa, @er, @tr, @ti, @sc, @sr, @sch, @smx, @smn, @sms, @p, @v) " +
                "ON CONFLICT (campaign_id, instance_id) DO UPDATE SET shard = excluded.shard, round = excluded.round, status = excluded.status, " +
                "exhausted = excluded.exhausted, finished_at = excluded.finished_at, extra_rounds = excluded.extra_rounds, training = excluded.training, " +
                "true_iou = excluded.true_iou, s_clicks = excluded.s_clicks, s_round = excluded.s_round, s_change = excluded.s_change, " +
                "s_max_distance = excluded.s_max_distance, s_mean_distance = excluded.s_mean_distance, s_model_score = excluded.s_model_score, " +
                "predicted = excluded.predicted, scored_version = excluded.scored_version",
                ("c", campaignId), ("i", q.InstanceId), ("sh", q.Shard), ("r", q.Round), ("st", (int)q.Status), ("ex", q.Exhausted ? 1 : 0),
                ("fa", q.FinishedAt), ("er", q.ExtraRounds), ("tr", q.Training ? 1 : 0), ("ti", q.TrueIoU),
                ("sc", s?.ClicksInRound), ("sr", s?.Round), ("sch", s?.MaskChangeIoU), ("smx", s?.MaxClickDistance), ("smn", s?.MeanClickDistance),
                ("sms", s?.ModelScore), ("p", q.Predicted), ("v", q.ScoredVersion));
            var isRanked = q.Predicted is not null && q.Status != Grains.Interfaces.InstanceStatus.Skipped;
            if (isRanked != wasRanked) await AddRanked(connection, transaction, campaignId, q.Shard, isRanked ? 1 : -1);
            return 0;
        });
    }

    /// <summary>A shard without a counts row (counted lazily from its entries in <see cref="CountRanked"/>) is left without one.</summary>
    static Task<int> AddRanked(DbConnection connection, DbTransaction? transaction, string campaignId, int shard, long delta) =>
        Execute(connection, transaction, "UPDATE annotation_quality_counts SET ranked = ranked + @d WHERE campaign_id = @c AND shard = @s",
            ("d", delta), ("c", campaignId), ("s", shard));

    public async Task<IReadOnlyList<QualityRow>> QualityPage(string campaignId, int shard, string? afterInstanceId, int take, bool withSignalsOnly)
    {
        await using var connection = await Open();
        var signals = withSignalsOnly ? " AND s_clicks IS NOT NULL" : "";
        return await Query(connection, null,
            $"SELECT {QualityColumns} FROM annotation_quality_entry WHERE campaign_id = @c AND shard = @s AND instance_id > @a{signals} ORDER BY instance_id LIMIT @t",
            ReadQuality, ("c", campaignId), ("s", shard), ("a", afterInstanceId ?? ""), ("t", take));
    }

    public async Task SetPredictions(string campaignId, int shard, IReadOnlyList<(string InstanceId, double Predicted)> predictions, int version)
    {
        await Write(async (connection, transaction) =>
        {
            long newlyRanked = 0;
            foreach (var chunk in predictions.Select(p => p.InstanceId).Chunk(500))
            {
                var (list, parameters) = InList(chunk, ("c", campaignId), ("skipped", (int)Grains.Interfaces.InstanceStatus.Skipped));
                newlyRanked += Convert.ToInt64(await Scalar(connection, transaction,
                    $"SELECT COUNT(*) FROM annotation_quality_entry WHERE campaign_id = @c AND instance_id IN ({list}) AND predicted IS NULL AND status <> @skipped",
                    parameters));
            }
            await using var command = Command(connection, transaction,
                "UPDATE annotation_quality_entry SET predicted = @p, scored_version = @v WHERE campaign_id = @c AND instance_id = @i",
                ("p", 0.0), ("v", version), ("c", campaignId), ("i", ""));
            try
            {
                foreach (var (id, predicted) in predictions)
                {
                    command.Parameters[0].Value = predicted;
                    command.Parameters[3].Value = id;
                    await command.ExecuteNonQueryAsync();
                }
            }
            catch (Exception e) when (IsDatabaseError(e))
            {
                throw StorageUnavailableException.From(e);
            }
            if (newlyRanked > 0) await AddRanked(connection, transaction, campaignId, shard, newlyRanked);
            return 0;
        });
    }

    public async Task<bool> AnyUnscored(string campaignId, int shard, int version)
    {
        await using var connection = await Open();
        return await Scalar(connection, null,
            "SELECT 1 FROM annotation_quality_entry WHERE campaign_id = @c AND shard = @s AND s_clicks IS NOT NULL AND scored_version <> @v LIMIT 1",
            ("c", campaignId), ("s", shard), ("v", version)) is not (null or DBNull);
    }

    const string RankedFilter = "campaign_id = @c AND shard = @s AND predicted IS NOT NULL AND status <> @skipped";

    public async Task<IReadOnlyList<QualityRow>> RankedQuality(string campaignId, int shard, int take, bool worstFirst)
    {
        await using var connection = await Open();
        var direction = worstFirst ? "ASC" : "DESC";
        return await Query(connection, null,
            $"SELECT {QualityColumns} FROM annotation_quality_entry WHERE {RankedFilter} ORDER BY predicted {direction}, instance_id LIMIT @t",
            ReadQuality, ("c", campaignId), ("s", shard), ("skipped", (int)Grains.Interfaces.InstanceStatus.Skipped), ("t", take));
    }

    public async Task<long> CountRanked(string campaignId, int shard)
    {
        const string read = "SELECT ranked FROM annotation_quality_counts WHERE campaign_id = @c AND shard = @s";
        await using (var connection = await Open())
        {
            if (await Scalar(connection, null, read, ("c", campaignId), ("s", shard)) is not (null or DBNull) and var ranked)
                return Convert.ToInt64(ranked);
        }
        // Once per shard: from here on the shard's writes keep the count.
        return await Write(async (connection, transaction) =>
        {
            var counted = Convert.ToInt64(await Scalar(connection, transaction, $"SELECT COUNT(*) FROM annotation_quality_entry WHERE {RankedFilter}",
                ("c", campaignId), ("s", shard), ("skipped", (int)Grains.Interfaces.InstanceStatus.Skipped)));
            await Execute(connection, transaction,
                "INSERT INTO annotation_quality_counts (campaign_id, shard, ranked) VALUES (@c, @s, @n) ON CONFLICT (campaign_id, shard) DO NOTHING",
                ("c", campaignId), ("s", shard), ("n", counted));
            return Convert.ToInt64(await Scalar(connection, transaction, read, ("c", campaignId), ("s", shard)));
        });
    }

    public async Task<IReadOnlyList<QualityRow>> QualityOf(string campaignId, IReadOnlyList<string> instanceIds)
    {
        if (instanceIds.Count == 0) return [];
        await using var connection = await Open();
        var rows = new List<QualityRow>();
        foreach (var chunk in instanceIds.Chunk(500))
        {
            var (list, parameters) = InList(chunk, ("c", campaignId));
            rows.AddRange(await Query(connection, null,
                $"SELECT {QualityColumns} FROM annotation_quality_entry WHERE campaign_id = @c AND instance_id IN ({list})",
                ReadQuality, parameters));
        }
        return rows;
    }

    public async Task<IReadOnlyList<QualityRow>> QualityWithTruth(string campaignId, int shard)
    {
        await using var connection = await Open();
        return await Query(connection, null,
            $"SELECT {QualityColumns} FROM annotation_quality_entry WHERE campaign_id = @c AND shard = @s AND true_iou IS NOT NULL ORDER BY instance_id",
            ReadQuality, ("c", campaignId), ("s", shard));
    }

    public async Task<IReadOnlyList<QualityRow>> QueuedBelow(string campaignId, int shard, double threshold)
    {
        await using var connection = await Open();
        return await Query(connection, null,
            $"SELECT {QualityColumns} FROM annotation_quality_entry WHERE campaign_id = @c AND shard = @s AND predicted < @th AND status = @queued ORDER BY predicted",
            ReadQuality, ("c", campaignId), ("s", shard), ("th", threshold), ("queued", (int)Grains.Interfaces.InstanceStatus.Queued));
    }

    public async Task<IReadOnlyList<QualityRow>> ExtraCandidates(string campaignId, int shard, int maxExtraRounds, CandidateOrder order,
        (double Key, string InstanceId)? after, int take)
    {
        await using var connection = await Open();
        var key = order switch
        {
            CandidateOrder.Predicted => "predicted, ",
            CandidateOrder.FinishedAt => "finished_at, ",
            _ => "",
        };
        var cursor = after is null ? "" : order == CandidateOrder.InstanceId ? " AND instance_id > @ai" : $" AND ({key}instance_id) > (@ak, @ai)";
        var scored = order == CandidateOrder.Predicted ? " AND predicted IS NOT NULL" : "";
        return await Query(connection, null,
            $"SELECT {QualityColumns} FROM annotation_quality_entry WHERE campaign_id = @c AND shard = @s AND status = @done AND exhausted = 1 " +
            $"AND extra_rounds < @m{scored}{cursor} ORDER BY {key}instance_id LIMIT @t",
            ReadQuality, ("c", campaignId), ("s", shard), ("done", (int)Grains.Interfaces.InstanceStatus.Done), ("m", maxExtraRounds),
            ("ak", after?.Key ?? 0.0), ("ai", after?.InstanceId ?? ""), ("t", take));
    }

    public async Task Ping(CancellationToken cancellation)
    {
        await using var connection = await Open(cancellation);
        await Scalar(connection, null, "SELECT 1");
    }

    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    protected static async Task<int> Execute(DbConnection connection, DbTransaction? transaction, string sql, params (string, object?)[] parameters)
    {
        try
        {
            await using var command = Command(connection, transaction, sql, parameters);
            return await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (IsDatabaseError(e))
        {
            throw StorageUnavailableException.From(e);
        }
    }

    static async Task<object?> Scalar(DbConnection connection, DbTransaction? transaction, string sql, params (string, object?)[] parameters)
    {
        try
        {
            await using var command = Command(connection, transaction, sql, parameters);
            return await command.ExecuteScalarAsync();
        }
        catch (Exception e) when (IsDatabaseError(e))
        {
            throw StorageUnavailableException.From(e);
        }
    }

    static async Task<List<T>> Query<T>(DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> read, params (string, object?)[] parameters)
    {
        try
        {
            await using var command = Command(connection, transaction, sql, parameters);
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.Default);
            var rows = new List<T>();
            while (await reader.ReadAsync()) rows.Add(read(reader));
            return rows;
        }
        catch (Exception e) when (IsDatabaseError(e))
        {
            throw StorageUnavailableException.From(e);
        }
    }
}
