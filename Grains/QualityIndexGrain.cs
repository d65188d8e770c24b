using Grains.Interfaces;
using Segmentation.Ranking;

namespace Grains;

[GenerateSerializer, Alias("QualityIndexState")]
public sealed class QualityIndexState
{
    [Id(0)] public Dictionary<string, QualityRecord> Entries { get; set; } = new(StringComparer.Ordinal);
}

public sealed class QualityIndexGrain(
    [PersistentState("qualityindex", StorageNames.Annotation)] IPersistentState<QualityIndexState> state,
    QualityModels models)
    : Grain, IQualityIndexGrain
{
    public const int MaxTake = 100_000;

    /// <summary>Predicted IoU per instance under <see cref="scoredVersion"/> (memory only: rebuilt from the stored signals).</summary>
    readonly Dictionary<string, double> scores = new(StringComparer.Ordinal);
    int scoredVersion;
    CampaignSettings? settings;

    Dictionary<string, QualityRecord> Entries => state.State.Entries;
    string CampaignId => AnnotationKeys.ParseCampaignShard(this.GetPrimaryKeyString()).CampaignId;
    int Shard => AnnotationKeys.ParseCampaignShard(this.GetPrimaryKeyString()).Shard;

    public async Task<double?> Record(QualityRecord record)
    {
        if (record is null || !AnnotationKeys.IsValidId(record.InstanceId) || record.Round < 0)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(record), "A quality record needs a valid instance id and round.");
        Entries[record.InstanceId] = record;
        await state.WriteStateAsync();
        var model = await Refresh(fresh: false);
        if (model is null || record.Signals is not { } signals)
        {
            scores.Remove(record.InstanceId);
            return null;
        }
        var predicted = model.Predict(RankingGrain.ToKernel(signals));
        scores[record.InstanceId] = predicted;
        return predicted;
    }

    public async Task<RankedPage> Ranked(int take, bool worstFirst)
    {
        RequireTake(take);
        await Refresh(fresh: true);
        var ranked = Scored().ToList();
        ranked.Sort((a, b) =>
        {
            var c = worstFirst ? a.PredictedIoU!.Value.CompareTo(b.PredictedIoU!.Value) : b.PredictedIoU!.Value.CompareTo(a.PredictedIoU!.Value);
            return c != 0 ? c : string.CompareOrdinal(a.InstanceId, b.InstanceId);
        });
        return new RankedPage(ranked.Take(take).ToArray(), ranked.Count, scoredVersion);
    }

    public async Task<IReadOnlyDictionary<string, double>> PredictedIoUs(IReadOnlyList<string> instanceIds)
    {
        if (instanceIds is null || instanceIds.Count > MaxTake)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(instanceIds), $"Ask for between 0 and {MaxTake} instances.");
        await Refresh(fresh: true);
        var found = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var id in instanceIds)
            if (scores.TryGetValue(id, out var p)) found[id] = p;
        return found;
    }

    public async Task<IReadOnlyList<RankedInstance>> GroundTruthEntries()
    {
        await Refresh(fresh: true);
        return Scored().Where(r => r.TrueIoU is not null).ToArray();
    }

    public async Task<IReadOnlyList<ExtraCandidate>> ExtraCandidates(
        ExtraRoundStrategy strategy, int seed, int maxExtraRounds, IReadOnlyList<string> exclude, int take)
    {
        RequireTake(take);
        if (strategy == ExtraRoundStrategy.Ranked) await Refresh(fresh: true);
        var excluded = new HashSet<string>(exclude ?? [], StringComparer.Ordinal);
        var candidates = new List<ExtraCandidate>();
        foreach (var e in Entries.Values)
        {
            if (e.Status != InstanceStatus.Done || !e.Exhausted || e.ExtraRounds >= maxExtraRounds || excluded.Contains(e.InstanceId)) continue;
            double? key = strategy switch
            {
                ExtraRoundStrategy.Ranked => scores.TryGetValue(e.InstanceId, out var p) ? p : null,
                ExtraRoundStrategy.Random => ShardMap.StableHash($"{seed}/{e.InstanceId}/{e.ExtraRounds}") / (double)uint.MaxValue,
                ExtraRoundStrategy.QueueOrder => e.FinishedAt,
                _ => throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(strategy), $"Unknown strategy {strategy}."),
            };
            if (key is { } k) candidates.Add(new ExtraCandidate(e.InstanceId, k));
        }
        return candidates.Order(ExtraCandidateOrder.Instance).Take(take).ToArray();
    }

    IEnumerable<RankedInstance> Scored() =>
        Entries.Values
            .Where(e => e.Status != InstanceStatus.Skipped && scores.ContainsKey(e.InstanceId))
            .Select(e => new RankedInstance(e.InstanceId, e.Round, scores[e.InstanceId], e.Status, e.TrueIoU, e.Training, e.ExtraRounds));

    /// <summary>
    /// Loads the campaign's current model; when its version differs from the one the scores were computed with, re-scores
    /// every entry (including rounds that finished before the first model) and moves queued instances that now fall below the
    /// campaign's re-prioritisation threshold to the front of their next round's queue.
    /// </summary>
    async Task<QualityModel?> Refresh(bool fresh)
    {
        var (model, version) = await models.Get(CampaignId, GrainFactory, fresh);
        if (model is null || version == scoredVersion) return model;
        scores.Clear();
        foreach (var e in Entries.Values)
            if (e.Signals is { } s) scores[e.InstanceId] = model.Predict(RankingGrain.ToKernel(s));
        scoredVersion = version;

        settings ??= (await GrainFactory.GetGrain<ICampaignGrain>(CampaignId).GetInfo()).Settings;
        if (settings.ReprioritizeBelowIoU > 0)
        {
            var promotions = Entries.Values
                .Where(e => e.Status == InstanceStatus.Queued && scores.TryGetValue(e.InstanceId, out var p) && p < settings.ReprioritizeBelowIoU)
                .Select(e => GrainFactory.GetGrain<IWorkQueueGrain>(AnnotationKeys.WorkQueue(CampaignId, e.Round + 1, Shard))
                    .MoveToFront(e.InstanceId, scores[e.InstanceId]));
            await Task.WhenAll(promotions);
        }
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
