namespace Grains.Interfaces;

/// <summary>
/// The background model work of one shard of a campaign (key <c>"{campaignId}/{shard}"</c>): instances waiting for
/// the mask of a round (round 0 after import, round r after a corrective submission). The list is durable; the
/// shard works through it with a bounded number of calls in flight and resumes after a restart.
/// </summary>
public interface IModelWorkGrain : IGrainWithStringKey
{
    /// <summary>Records that <paramref name="instanceId"/> needs the model's mask of <paramref name="round"/>. Idempotent.</summary>
    Task Request(string instanceId, int round);

    /// <summary>Makes sure pending work is being processed (after a restart).</summary>
    Task Resume();

    Task<ModelWorkSummary> GetSummary();
}
