using Orleans.Core.Internal;
using Segmentation.Masks;

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

    /// <summary>The canvas of the synthetic campaigns that take their masks from outside (external model).</summary>
    public const int CanvasWidth = 40, CanvasHeight = 30;

    /// <summary>The rectangle [x0, x1) x [y0, y1) as a mask on the synthetic campaigns' canvas.</summary>
    public static BinaryMask Rect(int x0, int y0, int x1, int y1)
    {
        var mask = new BinaryMask(CanvasWidth, CanvasHeight);
        for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++)
                mask.Data[y * CanvasWidth + x] = 1;
        return mask;
    }
}
