using Grains.Interfaces;

namespace Grains;

[GenerateSerializer, Alias("InstanceIndexState")]
public sealed class InstanceIndexState
{
    [Id(0)] public List<string> Ids { get; set; } = [];
}

/// <summary>The instance ids of one campaign shard, written once per import batch and read for listings and export.</summary>
public sealed class InstanceIndexGrain(
    [PersistentState("instanceindex", StorageNames.Annotation)] IPersistentState<InstanceIndexState> state)
    : Grain, IInstanceIndexGrain
{
    HashSet<string>? known;

    public async Task Add(IReadOnlyList<string> instanceIds)
    {
        known ??= new HashSet<string>(state.State.Ids, StringComparer.Ordinal);
        var added = false;
        foreach (var id in instanceIds)
        {
            if (!AnnotationKeys.IsValidId(id))
                throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(instanceIds), $"'{id}' is not a valid instance id.");
        }
        foreach (var id in instanceIds)
        {
            if (!known.Add(id)) continue;
            state.State.Ids.Add(id);
            added = true;
        }
        if (added) await state.WriteStateAsync();
    }

    public Task<int> Count() => Task.FromResult(state.State.Ids.Count);

    public Task<IReadOnlyList<string>> List(int offset, int count)
    {
        if (offset < 0 || count < 0)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, offset < 0 ? nameof(offset) : nameof(count), "Offset and count must not be negative.");
        return Task.FromResult<IReadOnlyList<string>>(state.State.Ids.Skip(offset).Take(count).ToArray());
    }
}
