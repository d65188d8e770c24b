using Grains.Interfaces;
using Grains.Store;
using Segmentation.Ranking;

namespace Grains;

/// <summary>
/// One shard of a campaign's quality index. Entries are rows of the campaign tables (this grain is their only writer), each
/// with its predicted IoU under the model version it was scored with; when a newer model appears the shard re-scores its
/// rows page by page before answering, so rankings never mix versions. Memory holds only the version and a count.
/// </summary>
public sealed class QualityIndexGrain(ICampaignStore store, QualityModels models) : Grain, IQualityIndexGrain
{
    const int MaxTake = IQualityIndexGrain.MaxTake;
    const int RescorePage = 2000;

    /// <summary>The model version every row with signals is scored under; -1 until checked after activation.</summary>
    int scoredVersion = -1;
    CampaignSettings? settings;

    string CampaignId => AnnotationKeys.ParseCampaignShard(this.GetPrimaryKeyString()).CampaignId;
    int Shard => AnnotationKeys.ParseCampaignShard(this.GetPrimaryKeyString()).Shard;

    public async Task<double?> Record(QualityRecord record)
    {
        if (record is null || !AnnotationKeys.IsValidId(record.InstanceId) || record.Round < 0)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(record), "A quality record needs a valid instance id and round.");
        var model = await Refresh(fresh: false);
        double? predicted = model is not null && record.Signals is { } signals ? model.Predict(RankingGrain.ToKernel(signals)) : null;
        await store.WriteQuality(CampaignId, new QualityRow(record.InstanceId, Shard, record.Round, record.Status, record.Exhausted,
            record.FinishedAt, record.ExtraRounds, record.Training, record.TrueIoU, record.Signals, predicted, Math.Max(0, scoredVersion)));
        return predicted;
    }

    public async Task<RankedPage> Ranked(int take, bool worstFirst)
    {
        RequireTake(take);
        await Refresh(fresh: true);
        var rows = await store.RankedQuality(CampaignId, Shard, take, worstFirst);
        var total = await store.CountRanked(CampaignId, Shard);
        return new RankedPage(rows.Select(Ranked).ToArray(), (int)total, Math.Max(0, scoredVersion));
    }

    public async Task<IReadOnlyDictionary<string, double>> PredictedIoUs(IReadOnlyList<string> instanceIds, int atLeastVersion)
    {
        if (instanceIds is null || instanceIds.Count > MaxTake)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(instanceIds), $"Ask for between 0 and {MaxTake} instances.");
        if (scoredVersion < atLeastVersion) await Refresh(fresh: true);
        var found = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var row in await store.QualityOf(CampaignId, instanceIds))
            if (row.Predicted is { } p) found[row.InstanceId] = p;
        return found;
    }

    public async Task<IReadOnlyList<RankedInstance>> GroundTruthEntries()
    {
        await Refresh(fresh: true);
        return (await store.QualityWithTruth(CampaignId, Shard))
            .Where(r => r.Predicted is not null && r.Status != InstanceStatus.Skipped).Select(Ranked).ToArray();
    }

    public async Task<IReadOnlyList<ExtraCandidate>> ExtraCandidates(
        ExtraRoundStrategy strategy, int seed, int maxExtraRounds, IReadOnlyList<string> exclude, int take)
    {
        RequireTake(take);
        if (!Enum.IsDefined(strategy))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(strategy), $"Unknown strategy {strategy}.");
        if (strategy == ExtraRoundStrategy.Ranked) await Refresh(fresh: true);
        var excluded = new HashSet<string>(exclude ?? [], StringComparer.Ordinal);
        if (take == 0) return [];

        if (strategy == ExtraRoundStrategy.Random)
        {
            // A seeded hash order: every candidate is read (in pages), the lowest keys are kept.
            var best = new PriorityQueue<ExtraCandidate, ExtraCandidate>(Comparer<ExtraCandidate>.Create((a, b) => ExtraCandidateOrder.Instance.Compare(b, a)));
            (double, string)? cursor = null;
            while (true)
            {
                var page = await store.ExtraCandidates(CampaignId, Shard, maxExtraRounds, CandidateOrder.InstanceId, cursor, RescorePage);
                foreach (var row in page)
                {
                    if (excluded.Contains(row.InstanceId)) continue;
                    var candidate = new ExtraCandidate(row.InstanceId, ShardMap.StableHash($"{seed}/{row.InstanceId}/{row.ExtraRounds}") / (double)uint.MaxValue);
                    best.Enqueue(candidate, candidate);
                    if (best.Count > take) best.Dequeue();
                }
                if (page.Count < RescorePage) break;
                cursor = (0, page[^1].InstanceId);
            }
            return best.UnorderedItems.Select(i => i.Element).Order(ExtraCandidateOrder.Instance).ToArray();
        }

        var order = strategy == ExtraRoundStrategy.Ranked ? CandidateOrder.Predicted : CandidateOrder.FinishedAt;
        // At most excluded.Count rows of one page are excluded, so a page of take + excluded.Count rows holds the answer.
        var rows = await store.ExtraCandidates(CampaignId, Shard, maxExtraRounds, order, null, take + excluded.Count);
        return rows.Where(r => !excluded.Contains(r.InstanceId))
            .Select(r => new ExtraCandidate(r.InstanceId, order == CandidateOrder.Predicted ? r.Predicted!.Value : r.FinishedAt))
            .Take(take).ToArray();
    }

    static RankedInstance Ranked(QualityRow r) => new(r.InstanceId, r.Round, r.Predicted, r.Status, r.TrueIoU, r.Training, r.ExtraRounds);

    /// <summary>
    /// Loads the campaign's current model; when the shard's rows are not all scored with it, re-scores every row with signals
    /// (including rounds that finished before the first model) and moves queued instances that now fall below the
    /// campaign's re-prioritisation threshold to the front of their next round's queue.
    /// </summary>
    async Task<QualityModel?> Refresh(bool fresh)
    {
        var (model, version) = await models.Get(CampaignId, GrainFactory, fresh);
        if (model is null)
        {
            scoredVersion = 0;
            return null;
        }
        if (version == scoredVersion) return model;
        if (scoredVersion >= 0 || await store.AnyUnscored(CampaignId, Shard, version))
        {
            string? after = null;
            while (true)
            {
                var page = await store.QualityPage(CampaignId, Shard, after, RescorePage, withSignalsOnly: true);
                if (page.Count == 0) break;
                var predictions = page.Select(r => (r.InstanceId, model.Predict(RankingGrain.ToKernel(r.Signals!)))).ToArray();
                await store.SetPredictions(CampaignId, Shard, predictions, version);
                if (page.Count < RescorePage) break;
                after = page[^1].InstanceId;
            }
        }

        settings ??= (await GrainFactory.GetGrain<ICampaignGrain>(CampaignId).GetInfo()).Settings;
        if (settings.ReprioritizeBelowIoU > 0)
        {
            var promotions = (await store.QueuedBelow(CampaignId, Shard, settings.ReprioritizeBelowIoU))
                .Select(e => GrainFactory.GetGrain<IWorkQueueGrain>(AnnotationKeys.WorkQueue(CampaignId, e.Round + 1, Shard))
                    .MoveToFront(e.InstanceId, e.Predicted!.Value));
            await Task.WhenAll(promotions);
        }
        // Only now: if a promotion failed, the next refresh does it all again instead of taking the version as handled.
        scoredVersion = version;
        return model;
    }

    static void RequireTake(int take)
    {
        if (take is < 0 or > MaxTake)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(take), $"take {take} is outside [0, {MaxTake}].");
    }
}

/// <summary>Lowest sort key first; ties by instance id, so every shard and the merge agree on one order.</summary>
public sealed class ExtraCandidateOrder : IComparer<ExtraCandidate>
{
    public static readonly ExtraCandidateOrder Instance = new();

    public int Compare(ExtraCandidate? a, ExtraCandidate? b)
    {
        if (a is null || b is null) return a is null ? (b is null ? 0 : -1) : 1;
        var c = a.SortKey.CompareTo(b.SortKey);
        return c != 0 ? c : string.CompareOrdinal(a.InstanceId, b.InstanceId);
    }
}
