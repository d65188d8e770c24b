using ApiGateway.Security;
using Grains.Interfaces;

namespace ApiGateway.Api;

/// <summary>The campaign's quality for managers: each annotator's answers on reference instances, and the report against the references.</summary>
public static class QualityEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var quality = app.MapGroup("/api/v1/campaigns/{campaignId}/quality").WithTags("Manager").RequireAuthorization(Policies.Manager);
        quality.MapGet("/annotators", Get)
            .WithSummary("Each annotator's answers, skips, seconds per answer, share of judged clicks that correct a true error, " +
                "share of accepted masks that were not good, gold answers, and whether they are flagged as far below the others.");
        quality.MapGet("/report", Report)
            .WithSummary("mIoU and boundary F at 5 px against the reference masks after each round, for all and per class; the human " +
                "agreement of double paintings; M_r's curve on the references; clicks and seconds per instance and the answers' distribution.");
    }

    static async Task<IReadOnlyList<AnnotatorQualitySummary>> Get(string campaignId, IGrainFactory grains)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        return await grains.GetGrain<ICampaignGrain>(campaignId).GetAnnotatorQuality();
    }

    static async Task<QualityReportDto> Report(string campaignId, IGrainFactory grains)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var references = await grains.GetGrain<ICampaignGrain>(campaignId).GetReferenceQuality();
        return new QualityReportDto(references.References, references.Rounds, references.Classes, references.Agreement,
            await RankingEndpoints.GetCurve(campaignId, grains), await StatisticsEndpoints.Get(campaignId, grains));
    }
}
