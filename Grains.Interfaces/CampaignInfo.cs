namespace Grains.Interfaces;

/// <param name="HighestRound">The highest round that may have work: the settings' rounds, or more once extra rounds were granted.</param>
[GenerateSerializer, Immutable, Alias("CampaignInfo")]
public sealed record CampaignInfo(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] CampaignStatus Status,
    [property: Id(2)] CampaignSettings Settings,
    [property: Id(3)] int ImportedInstances,
    [property: Id(4)] int HighestRound);
