using Grains.Interfaces;
using Orleans.Serialization;
using Orleans.Storage;

namespace Grains.Store;

/// <summary>
/// Grain storage for <see cref="InstanceState"/> only: the state lives in the instance's row of the campaign's instance
/// table, which the import created with the initial state. The row's version is the ETag, so a second activation or a
/// lost write cannot overwrite a newer state.
/// </summary>
public sealed class InstanceRowStorage(ICampaignStore store, Serializer<InstanceState> serializer) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (campaignId, instanceId) = Key<T>(grainId);
        var row = await store.ReadInstance(campaignId, instanceId);
        if (row is null)
        {
            grainState.State = (T)(object)new InstanceState();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        grainState.State = (T)(object)Decode(row.State, serializer);
        grainState.ETag = row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (campaignId, instanceId) = Key<T>(grainId);
        if (grainState.ETag is null || !long.TryParse(grainState.ETag, out var version))
            throw new InconsistentStateException($"Instance {campaignId}/{instanceId} was never imported; there is no row to write its state to.");
        var state = (InstanceState)(object)grainState.State!;
        try
        {
            var next = await store.WriteInstance(campaignId, instanceId, Row(state, serializer), version);
            grainState.ETag = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        catch (StoreConflictException e)
        {
            throw new InconsistentStateException(e.Message);
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        throw new NotSupportedException("Instances are never deleted one by one.");

    /// <summary>The row an instance state is stored as.</summary>
    public static InstanceStateRow Row(InstanceState state, Serializer<InstanceState> serializer) =>
        new((int)state.Status, state.CurrentRound, serializer.SerializeToArray(state));

    public static InstanceState Decode(byte[] bytes, Serializer<InstanceState> serializer) =>
        serializer.Deserialize(bytes) ?? throw new InvalidDataException("An instance row holds no state.");

    static (string CampaignId, string InstanceId) Key<T>(GrainId grainId)
    {
        if (typeof(T) != typeof(InstanceState))
            throw new NotSupportedException($"The instance row storage keeps only {nameof(InstanceState)}, not {typeof(T).Name}.");
        return AnnotationKeys.ParseInstance(grainId.Key.ToString()!);
    }
}
