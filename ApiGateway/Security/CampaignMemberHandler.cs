using Grains.Interfaces;
using Microsoft.AspNetCore.Authorization;

namespace ApiGateway.Security;

/// <summary>Managers pass; an annotator passes when the members of the route's campaign include them.</summary>
public sealed class CampaignMemberHandler(IGrainFactory grains) : AuthorizationHandler<CampaignMemberRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, CampaignMemberRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true) return;
        if (context.User.IsManager())
        {
            context.Succeed(requirement);
            return;
        }
        if (context.Resource is not HttpContext http || http.GetRouteValue("campaignId") is not string campaignId) return;
        if (!AnnotationKeys.IsValidId(campaignId)) return;
        if (await grains.GetGrain<ICampaignMembersGrain>(campaignId).Contains(context.User.UserName()))
            context.Succeed(requirement);
    }
}
