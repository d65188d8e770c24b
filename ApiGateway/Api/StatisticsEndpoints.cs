using ApiGateway.Security;
using Grains.Interfaces;
using Segmentation.Campaigns;

namespace ApiGateway.Api;

/// <summary>The campaign dashboard's answer figures: answers per round by clicks, time per answer type, throughput and a timeline.</summary>
public static class StatisticsEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/campaigns/{campaignId}/statistics", Get).WithTags("Manager").RequireAuthorization(Policies.Manager)
            .WithSummary("Answers per round by number of clicks (and skips), seconds per answer type, instances per hour, and a timeline.");

    /// <summary>Made from the campaign's answer counters, so a request reads a bounded number of rows whatever the campaign's size.</summary>
    internal static async Task<CampaignAnswerStatistics> Get(string campaignId, IGrainFactory grains)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var counters = await grains.GetGrain<ICampaignGrain>(campaignId).GetAnswerCounters();
        return AnswerStatistics.FromCounters(
            counters.Select(c => new AnswerCounter((AnswerCounterKind)c.Kind, c.K1, c.K2, c.Answers, c.Finished, c.Seconds, c.FirstAtTicks, c.LastAtTicks)).ToArray(),
            info.Settings.MaxClicksPerRound);
    }
}
