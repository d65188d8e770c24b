using Grains.Interfaces;

namespace ApiGateway.Api;

/// <summary>The annotators who took work in a campaign, each with their answers in that campaign only.</summary>
public static class CampaignAnswers
{
    public static async Task<IReadOnlyList<(AnnotatorProfile Profile, AnnotatorHistoryEntry[] Answers)>> Read(IGrainFactory grains, string campaignId)
    {
        var ids = await grains.GetGrain<ICampaignGrain>(campaignId).GetAnnotators();
        var profiles = await Task.WhenAll(ids.Select(id => grains.GetGrain<IAnnotatorGrain>(id).GetProfile()));
        var prefix = campaignId + "/";
        return profiles.Select(p => (p, p.History.Where(h => h.InstanceKey.StartsWith(prefix, StringComparison.Ordinal)).ToArray())).ToArray();
    }

    /// <summary>The instance id of an answer's instance key.</summary>
    public static string InstanceId(AnnotatorHistoryEntry answer) => AnnotationKeys.ParseInstance(answer.InstanceKey).InstanceId;
}
