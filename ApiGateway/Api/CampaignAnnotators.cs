using Grains.Interfaces;

namespace ApiGateway.Api;

/// <summary>The annotators who took work in a campaign, with their totals there.</summary>
public static class CampaignAnnotators
{
    public static async Task<IReadOnlyList<AnnotatorProfile>> Profiles(IGrainFactory grains, string campaignId)
    {
        var statistics = await grains.GetGrain<ICampaignGrain>(campaignId).GetAnnotatorStatistics();
        return await Task.WhenAll(statistics.Select(async s =>
        {
            var annotator = grains.GetGrain<IAnnotatorGrain>(s.AnnotatorId);
            return new AnnotatorProfile(s.AnnotatorId, await annotator.IsQualified(), await annotator.GetLease(), [], s.Statistics,
                await annotator.IsPaintingQualified());
        }));
    }
}
