using ApiGateway.Security;
using Grains.Interfaces;

namespace ApiGateway.Api;

/// <summary>Per-annotator quality for managers: how each annotator's answers did on instances with a reference mask.</summary>
public static class QualityEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/campaigns/{campaignId}/quality/annotators", Get).WithTags("Manager").RequireAuthorization(Policies.Manager)
            .WithSummary("Each annotator's answers, skips, seconds per answer, share of judged clicks that correct a true error, " +
                "share of accepted masks that were not good, and whether they are flagged as far below the others.");

    static async Task<IReadOnlyList<AnnotatorQualitySummary>> Get(string campaignId, IGrainFactory grains)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        return await grains.GetGrain<ICampaignGrain>(campaignId).GetAnnotatorQuality();
    }
}
