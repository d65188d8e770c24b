using System.Collections.Concurrent;
using Grains.Interfaces;
using Orleans.Concurrency;
using Segmentation.Ranking;

namespace Grains;

/// <summary>Each campaign's current quality model in this silo, loaded once per version and shared by all scorers.</summary>
public sealed class QualityModels
{
    readonly ConcurrentDictionary<string, (QualityModel? Model, int Version, DateTimeOffset CheckedAt)> models = new(StringComparer.Ordinal);

    /// <summary>How often a scorer asks the ranking grain whether a newer model exists.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    public async Task<QualityModel?> Get(string campaignId, IGrainFactory grains)
    {
        var now = DateTimeOffset.UtcNow;
        // Until a campaign has its first model every call asks (one small read per finished round); afterwards a newer
        // version is looked for at most every RefreshInterval.
        if (models.TryGetValue(campaignId, out var entry) && entry.Model is not null && now - entry.CheckedAt < RefreshInterval) return entry.Model;
        var snapshot = await grains.GetGrain<IRankingGrain>(campaignId).GetModel(entry.Version);
        if (snapshot is null)
        {
            models[campaignId] = (entry.Model, entry.Version, now);
            return entry.Model;
        }
        var model = QualityModel.Load(new MemoryStream(snapshot.Model));
        // The replaced model may still be scoring on another thread; it is left to the garbage collector.
        models[campaignId] = (model, snapshot.Version, now);
        return model;
    }
}

[StatelessWorker]
public sealed class ScoringGrain(QualityModels models) : Grain, IScoringGrain
{
    public async Task<double?> Score(string campaignId, QualitySignals signals)
    {
        var model = await models.Get(campaignId, GrainFactory);
        return model?.Predict(RankingGrain.ToKernel(signals));
    }
}
