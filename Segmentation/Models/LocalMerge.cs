using Segmentation.Masks;

namespace Segmentation.Models;

/// <summary>
/// Applies a model's new answer only near the new clicks: like <see cref="ProgressiveMerge"/>, the connected change
/// containing each click is taken, but only within a disc around the click. A corrective click at depth d inside an
/// error region (its distance to the previous mask's edge) says that region reaches at least d from the edge, so the
/// disc's radius is <c>depthFactor * d + minRadius</c>. A model answer that rewrites the whole mask thus changes it
/// only where the annotator pointed.
/// </summary>
public static class LocalMerge
{
    public static BinaryMask Apply(BinaryMask previous, BinaryMask proposal, IEnumerable<Click> newClicks, double depthFactor = 2, double minRadius = 8)
    {
        if (depthFactor < 0 || minRadius < 0)
            throw new ArgumentOutOfRangeException(nameof(depthFactor), "The disc's factor and smallest radius cannot be negative.");
        return ProgressiveMerge.Apply(previous, proposal, newClicks, click => depthFactor * Depth(previous, click.PixelX, click.PixelY) + minRadius);
    }

    /// <summary>Distance from a pixel to the nearest pixel of the other side of the mask (outside: to the mask; inside: to the background).</summary>
    public static double Depth(BinaryMask mask, int cx, int cy)
    {
        if (!mask.Contains(cx, cy))
            throw new ArgumentOutOfRangeException(nameof(cx), $"({cx}, {cy}) lies outside the {mask.Width}x{mask.Height} mask.");
        var side = mask.Data[cy * mask.Width + cx];
        var limit = Math.Max(mask.Width, mask.Height);
        var best = double.PositiveInfinity;
        // Rings of growing Chebyshev radius: once the ring's radius passes the best Euclidean distance, none is closer.
        for (var ring = 1; ring <= limit && ring <= best; ring++)
        {
            for (var y = cy - ring; y <= cy + ring; y++)
            {
                if (y < 0 || y >= mask.Height) continue;
                var step = y == cy - ring || y == cy + ring ? 1 : 2 * ring;
                for (var x = cx - ring; x <= cx + ring; x += step)
                {
                    if (x < 0 || x >= mask.Width || mask.Data[y * mask.Width + x] == side) continue;
                    var d = Math.Sqrt((double)(x - cx) * (x - cx) + (double)(y - cy) * (y - cy));
                    if (d < best) best = d;
                }
            }
        }
        // An all-foreground or all-background image: the click's side reaches the image's edge.
        return double.IsPositiveInfinity(best) ? limit : best;
    }
}
