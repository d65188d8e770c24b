using Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace Grains;

[GenerateSerializer, Alias("CampaignDirectoryState")]
public sealed class CampaignDirectoryState
{
    [Id(0)] public SortedSet<string> CampaignIds { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>All campaign ids. Written once per campaign creation; read by the campaign list and at silo start.</summary>
public sealed class CampaignDirectoryGrain(
    [PersistentState("campaigns", StorageNames.Annotation)] IPersistentState<CampaignDirectoryState> state,
    ILogger<CampaignDirectoryGrain> logger)
    : Grain, ICampaignDirectoryGrain
{
    public async Task Add(string campaignId)
    {
        if (!AnnotationKeys.IsValidId(campaignId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(campaignId), $"'{campaignId}' is not a valid campaign id.");
        if (state.State.CampaignIds.Add(campaignId)) await state.WriteOrDeactivateAsync(this);
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>(state.State.CampaignIds.ToArray());

    public async Task ResumeAll()
    {
        foreach (var id in state.State.CampaignIds)
            await GrainFactory.GetGrain<ICampaignGrain>(id).ResumeBackgroundWork();
        logger.LogInformation("Resumed background work of {Count} campaigns", state.State.CampaignIds.Count);
    }
}
