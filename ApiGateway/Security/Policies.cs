namespace ApiGateway.Security;

/// <summary>The authorization policies every endpoint names where it is mapped.</summary>
public static class Policies
{
    /// <summary>Any signed-in account (cookie or API token).</summary>
    public const string SignedIn = "signed-in";

    /// <summary>Managers and admins, or an annotator who is a member of the route's campaign.</summary>
    public const string CampaignMember = "campaign-member";

    /// <summary>Managers and admins.</summary>
    public const string Manager = "manager";

}
