namespace Grains.Interfaces;

/// <summary>The user names allowed to annotate in one campaign (key: campaign id).</summary>
public interface ICampaignMembersGrain : IGrainWithStringKey
{
    /// <summary>Adds a member; false when already one.</summary>
    Task<bool> Add(string userName);

    /// <summary>Removes a member; false when not one.</summary>
    Task<bool> Remove(string userName);

    Task<bool> Contains(string userName);

    Task<IReadOnlyList<string>> List();
}
