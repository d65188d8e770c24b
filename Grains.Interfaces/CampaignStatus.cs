namespace Grains.Interfaces;

[GenerateSerializer, Alias("CampaignStatus")]
public enum CampaignStatus
{
    None = 0,
    Draft = 1,
    Importing = 2,
    Running = 3,
    Paused = 4,
    Finished = 5,
}
