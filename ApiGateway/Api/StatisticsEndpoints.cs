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

    static async Task<CampaignAnswerStatistics> Get(string campaignId, IGrainFactory grains)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var answers = new List<AnswerRecord>();
        await foreach (var h in CampaignAnswers.All(grains, campaignId))
            answers.Add(new AnswerRecord(CampaignAnswers.InstanceId(h), h.Round, h.Clicks, h.Skipped, h.SecondsSpent, h.At));
        return AnswerStatistics.Compute(answers, info.Settings.Rounds, info.Settings.MaxClicksPerRound);
    }
}
