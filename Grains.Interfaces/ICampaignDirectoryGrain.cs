namespace Grains.Interfaces;

/// <summary>Every campaign id (single grain, key 0; written only when a campaign is created).</summary>
public interface ICampaignDirectoryGrain : IGrainWithIntegerKey
{
    Task Add(string campaignId);

    Task<IReadOnlyList<string>> List();

    /// <summary>Wakes every campaign so unfinished background work resumes (called at silo start).</summary>
    Task ResumeAll();
}
