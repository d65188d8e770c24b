using ApiGateway.Security;
using Grains.Interfaces;

namespace ApiGateway.Api;

/// <summary>Who annotates in a campaign: managers add and remove members.</summary>
public static class MemberEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var members = app.MapGroup("/api/v1/campaigns/{campaignId}/members").WithTags("Manager").RequireAuthorization(Policies.Manager);
        members.MapGet("", List);
        members.MapPut("/{userName}", Add).WithSummary("Make an account a member: it then sees the campaign and may annotate in it once qualified.");
        members.MapDelete("/{userName}", Remove);
    }

    static async Task<MemberListDto> List(string campaignId, IGrainFactory grains)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var names = await grains.GetGrain<ICampaignMembersGrain>(campaignId).List();
        var members = await Task.WhenAll(names.Select(async name =>
        {
            var account = await grains.GetGrain<IUserGrain>(name).GetAccount();
            var qualified = await grains.GetGrain<IAnnotatorGrain>(name).IsQualified();
            return new MemberDto(name, account is null ? "deleted" : AccountClaims.RoleName(account.Role), qualified);
        }));
        return new MemberListDto(members);
    }

    static async Task<MemberDto> Add(string campaignId, string userName, IGrainFactory grains)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var name = UserEndpoints.RequireUserName(userName, "userName");
        var account = await grains.GetGrain<IUserGrain>(name).GetAccount()
            ?? throw new ApiProblemException(404, RejectionCodes.NotInitialized, "userName", $"User {name} does not exist.");
        await grains.GetGrain<ICampaignMembersGrain>(campaignId).Add(name);
        return new MemberDto(name, AccountClaims.RoleName(account.Role), await grains.GetGrain<IAnnotatorGrain>(name).IsQualified());
    }

    static async Task<IResult> Remove(string campaignId, string userName, IGrainFactory grains)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var name = UserEndpoints.RequireUserName(userName, "userName");
        if (!await grains.GetGrain<ICampaignMembersGrain>(campaignId).Remove(name))
            throw new ApiProblemException(404, RejectionCodes.NotInitialized, "userName", $"{name} is not a member of campaign {campaignId}.");
        return Results.NoContent();
    }
}
