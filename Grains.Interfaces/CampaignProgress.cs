namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("CampaignProgress")]
public sealed record CampaignProgress(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] CampaignStatus Status,
    [property: Id(2)] int ImportedInstances,
    [property: Id(3)] IReadOnlyList<RoundProgress> Rounds,
    [property: Id(4)] ModelWorkSummary Model,
    [property: Id(5)] int Done,
    [property: Id(6)] int Skipped,
    [property: Id(7)] ExtraRoundsSummary? Extra = null)
{
    /// <summary>Instances that have not finished their regular rounds.</summary>
    public int Remaining => Math.Max(0, ImportedInstances - Done - Skipped);

    /// <summary>Every imported instance is done or skipped, and no extra-click budget is still being spent.</summary>
    public bool Complete => ImportedInstances > 0 && Remaining == 0 && Extra is not { Active: true };
}
