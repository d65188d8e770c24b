using Grains.Interfaces;

namespace Grains;

/// <summary>Writing a grain's state so that a storage failure never leaves an unsaved change in memory.</summary>
public static class StateWrites
{
    /// <summary>
    /// Writes <paramref name="state"/>; when storage fails, <paramref name="grain"/>'s activation is dropped, so the next
    /// call reloads what storage holds instead of acting on the change that was not saved. The failure is rethrown.
    /// </summary>
    public static async Task WriteOrDeactivateAsync<T>(this IPersistentState<T> state, IGrainBase grain)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            grain.DeactivateOnIdle();
            // Driver errors may not cross a grain call; version conflicts (Orleans' own exception) do.
            if (e is Orleans.Storage.InconsistentStateException) throw;
            throw StorageUnavailableException.From(e);
        }
    }
}
