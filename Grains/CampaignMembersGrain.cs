using Grains.Interfaces;

namespace Grains;

[GenerateSerializer, Alias("CampaignMembersState")]
public sealed class CampaignMembersState
{
    [Id(0)] public SortedSet<string> Members { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Who may annotate in one campaign; asked on every annotator request, so kept in memory while active.</summary>
public sealed class CampaignMembersGrain(
    [PersistentState("members", StorageNames.Annotation)] IPersistentState<CampaignMembersState> state)
    : Grain, ICampaignMembersGrain
{
    public async Task<bool> Add(string userName)
    {
        if (!state.State.Members.Add(userName)) return false;
        await Save();
        return true;
    }

    public async Task<bool> Remove(string userName)
    {
        if (!state.State.Members.Remove(userName)) return false;
        await Save();
        return true;
    }

    public Task<bool> Contains(string userName) => Task.FromResult(state.State.Members.Contains(userName));

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>(state.State.Members.ToArray());

    /// <summary>Writes the state; when storage fails the activation is dropped, so the next call reloads what storage holds instead of the unsaved change.</summary>
    async Task Save()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }
}
