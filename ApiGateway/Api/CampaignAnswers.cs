using Grains.Interfaces;

namespace ApiGateway.Api;

/// <summary>The annotators who took work in a campaign with their totals there, and the campaign's answers page by page.</summary>
public static class CampaignAnswers
{
    const int Page = 5000;

    public static async Task<IReadOnlyList<AnnotatorProfile>> Annotators(IGrainFactory grains, string campaignId)
    {
        var statistics = await grains.GetGrain<ICampaignGrain>(campaignId).GetAnnotatorStatistics();
        return await Task.WhenAll(statistics.Select(async s =>
        {
            var annotator = grains.GetGrain<IAnnotatorGrain>(s.AnnotatorId);
            return new AnnotatorProfile(s.AnnotatorId, await annotator.IsQualified(), await annotator.GetLease(), [], s.Statistics);
        }));
    }

    /// <summary>Every answer of the campaign in time order, read in pages.</summary>
    public static async IAsyncEnumerable<AnnotatorHistoryEntry> All(IGrainFactory grains, string campaignId)
    {
        var campaign = grains.GetGrain<ICampaignGrain>(campaignId);
        AnnotatorHistoryEntry? after = null;
        while (true)
        {
            var page = await campaign.GetAnswers(after, Page);
            foreach (var answer in page) yield return answer;
            if (page.Count < Page) yield break;
            after = page[^1];
        }
    }

    /// <summary>The instance id of an answer's instance key.</summary>
    public static string InstanceId(AnnotatorHistoryEntry answer) => AnnotationKeys.ParseInstance(answer.InstanceKey).InstanceId;
}
