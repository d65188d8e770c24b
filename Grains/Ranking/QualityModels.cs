using System.Collections.Concurrent;
using Grains.Interfaces;
using Segmentation.Ranking;

namespace Grains;

/// <summary>Each campaign's current quality model in this silo, loaded once per version and shared by every index shard here.</summary>
public sealed class QualityModels
{
    readonly ConcurrentDictionary<string, (QualityModel? Model, int Version, DateTimeOffset CheckedAt)> models = new(StringComparer.Ordinal);

    /// <summary>How often a newer model version is looked for once a campaign has a model.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>How often a campaign without a model is asked again.</summary>
    public static readonly TimeSpan NoModelRefreshInterval = TimeSpan.FromSeconds(1);

    /// <param name="fresh">Ask the ranking grain now, whatever the cache's age (for queries whose answer must use the newest model).</param>
    public async Task<(QualityModel? Model, int Version)> Get(string campaignId, IGrainFactory grains, bool fresh = false)
    {
        var now = DateTimeOffset.UtcNow;
        if (models.TryGetValue(campaignId, out var entry) && !fresh
            && now - entry.CheckedAt < (entry.Model is null ? NoModelRefreshInterval : RefreshInterval))
            return (entry.Model, entry.Version);
        var snapshot = await grains.GetGrain<IRankingGrain>(campaignId).GetModel(entry.Version);
        if (snapshot is null)
        {
            models[campaignId] = (entry.Model, entry.Version, now);
            return (entry.Model, entry.Version);
        }
        var model = QualityModel.Load(new MemoryStream(snapshot.Model));
        // The replaced model may still be scoring on another thread; it is left to the garbage collector.
        models[campaignId] = (model, snapshot.Version, now);
        return (model, snapshot.Version);
    }
}
