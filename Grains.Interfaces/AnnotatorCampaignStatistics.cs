namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("AnnotatorCampaignStatistics")]
public sealed record AnnotatorCampaignStatistics(
    [property: Id(0)] string AnnotatorId,
    [property: Id(1)] AnnotatorStatistics Statistics);
