using Microsoft.AspNetCore.Authorization;

namespace ApiGateway.Security;

/// <summary>The requirement of <see cref="Policies.CampaignMember"/>, met by <see cref="CampaignMemberHandler"/>.</summary>
public sealed class CampaignMemberRequirement : IAuthorizationRequirement;
