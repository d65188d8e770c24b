using Segmentation.Masks;

namespace Segmentation.Models;

/// <summary>
/// Whether a mask agrees with the clicks that asked for it: every foreground click inside, every background
/// click outside. A click outside the image counts as violated when it is a foreground click.
/// </summary>
public static class ClickAgreement
{
    public static int Violations(BinaryMask mask, IReadOnlyList<Click> clicks)
    {
        var violations = 0;
        foreach (var click in clicks)
        {
            var x = click.PixelX;
            var y = click.PixelY;
            var inside = mask.Contains(x, y) && mask[x, y];
            if (inside != click.IsForeground) violations++;
        }
        return violations;
    }

    /// <summary>Violations of a frame's logits (positive: object), the frame placed at its offset in the image.</summary>
    public static int Violations(ReadOnlySpan<float> frameLogits, PixelRect frame, IReadOnlyList<Click> clicks)
    {
        var violations = 0;
        foreach (var click in clicks)
        {
            var x = click.PixelX - frame.X;
            var y = click.PixelY - frame.Y;
            var inside = x >= 0 && y >= 0 && x < frame.Width && y < frame.Height && frameLogits[y * frame.Width + x] > 0f;
            if (inside != click.IsForeground) violations++;
        }
        return violations;
    }
}
