using Orleans.Core.Internal;

namespace Backend.Tests;

static class GrainTestHelpers
{
    /// <summary>A fresh id per call, so tests sharing one cluster never share grains.</summary>
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Asks the grain's activation to go away; the next call activates it again from storage.</summary>
    public static async Task Deactivate(IAddressable grain)
    {
        await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        // Deactivation completes after the current turn; give the runtime a moment.
        await Task.Delay(200);
    }
}
