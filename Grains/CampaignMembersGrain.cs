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
        await state.WriteOrDeactivateAsync(this);
        return true;
    }

    public async Task<bool> Remove(string userName)
    {
        if (!state.State.Members.Remove(userName)) return false;
        await state.WriteOrDeactivateAsync(this);
        return true;
    }

    public Task<bool> Contains(string userName) => Task.FromResult(state.State.Members.Contains(userName));

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>(state.State.Members.ToArray());
}
