using Grains.Interfaces;

namespace Grains;

[GenerateSerializer, Alias("UserDirectoryState")]
public sealed class UserDirectoryState
{
    [Id(0)] public SortedSet<string> UserNames { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>All user names, for the people page and member pickers.</summary>
public sealed class UserDirectoryGrain(
    [PersistentState("users", StorageNames.Annotation)] IPersistentState<UserDirectoryState> state)
    : Grain, IUserDirectoryGrain
{
    public async Task Add(string userName)
    {
        if (state.State.UserNames.Add(userName)) await state.WriteOrDeactivateAsync(this);
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>(state.State.UserNames.ToArray());
}
