using Segmentation.Masks;

namespace Segmentation.Models;

/// <summary>
/// Applies a model's new answer only near the new clicks: like <see cref="ProgressiveMerge"/>, the connected change
/// containing each click is taken, but only within a disc around the click. A corrective click at distance d from the previous
/// mask's edge says the error it corrects reaches at least d from that edge (unless it lies in a separate part), so the
/// disc's radius is <c>depthFactor * d + minRadius</c>. A model answer that rewrites the whole mask thus changes it
/// only where the annotator pointed.
/// </summary>
public static class LocalMerge
{
    public static BinaryMask Apply(BinaryMask previous, BinaryMask proposal, IEnumerable<Click> newClicks, double depthFactor = 2, double minRadius = 8)
    {
        if (depthFactor < 0 || minRadius < 0)
            throw new ArgumentOutOfRangeException(nameof(depthFactor), "The disc's factor and smallest radius cannot be negative.");
        // One distance transform per side of the mask, shared by the clicks on that side.
        var toOtherSide = new float[]?[2];
        double Reach(Click click)
        {
            var index = click.PixelY * previous.Width + click.PixelX;
            var side = previous.Data[index];
            var squared = (toOtherSide[side] ??= DistanceTransform.SquaredDistanceToOutside(previous, side))[index];
            return depthFactor * Distance(squared, previous) + minRadius;
        }
        return ProgressiveMerge.Apply(previous, proposal, newClicks, Reach);
    }

    /// <summary>Distance from a pixel to the nearest pixel of the other side of the mask (outside: to the mask; inside: to the background).</summary>
    public static double Depth(BinaryMask mask, int cx, int cy)
    {
        if (!mask.Contains(cx, cy))
            throw new ArgumentOutOfRangeException(nameof(cx), $"({cx}, {cy}) lies outside the {mask.Width}x{mask.Height} mask.");
        var index = cy * mask.Width + cx;
        return Distance(DistanceTransform.SquaredDistanceToOutside(mask, mask.Data[index])[index], mask);
    }

    // A mask with one side only: the click's side reaches the image's edge.
    private static double Distance(float squared, BinaryMask mask) =>
        float.IsPositiveInfinity(squared) ? Math.Max(mask.Width, mask.Height) : Math.Sqrt(squared);
}
