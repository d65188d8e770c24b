using Segmentation.Masks;

namespace Segmentation.Quality;

/// <summary>
/// Judges corrective clicks the way the paper scores its qualification test and its annotators: does each click land in
/// a true error region (the reference mask against the mask shown) with the polarity that region needs?
/// </summary>
public static class ClickScoring
{
    /// <summary>
    /// A click is not judged when a pixel of the other reference label has its centre within this many pixels of the
    /// clicked pixel's centre: a painted reference is itself uncertain by a pixel or two there, and a click on the line
    /// is as right as one beside it.
    /// </summary>
    public const double DefaultBoundaryTolerancePx = 2;

    public static IReadOnlyList<ClickVerdict> Score(BinaryMask reference, BinaryMask shown, IReadOnlyList<Click> clicks,
        double boundaryTolerancePx = DefaultBoundaryTolerancePx, BinaryMask? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(shown);
        ArgumentNullException.ThrowIfNull(clicks);
        reference.RequireSameSize(shown);
        ignore?.RequireSameSize(reference);
        if (boundaryTolerancePx < 0 || !double.IsFinite(boundaryTolerancePx))
            throw new ArgumentOutOfRangeException(nameof(boundaryTolerancePx), boundaryTolerancePx, "The tolerance must be a finite number of pixels, 0 or more.");
        return clicks.Select(c => Judge(reference, shown, c, boundaryTolerancePx, ignore)).ToArray();
    }

    static ClickVerdict Judge(BinaryMask reference, BinaryMask shown, Click click, double tolerance, BinaryMask? ignore)
    {
        int x = click.PixelX, y = click.PixelY;
        if (!reference.Contains(x, y) || (ignore is not null && ignore[x, y]) || NearBoundary(reference, x, y, tolerance))
            return ClickVerdict.Unjudged;
        var isObject = reference[x, y];
        if (click.IsForeground != isObject) return ClickVerdict.Contradicts;
        return shown[x, y] == isObject ? ClickVerdict.Redundant : ClickVerdict.Corrects;
    }

    /// <summary>Whether a pixel of the other reference label lies within <paramref name="tolerance"/> of (x, y).</summary>
    static bool NearBoundary(BinaryMask reference, int x, int y, double tolerance)
    {
        var r = (int)Math.Floor(tolerance);
        var label = reference[x, y];
        for (var dy = -r; dy <= r; dy++)
        for (var dx = -r; dx <= r; dx++)
        {
            if (dx * dx + dy * dy > tolerance * tolerance) continue;
            int px = x + dx, py = y + dy;
            if (reference.Contains(px, py) && reference[px, py] != label) return true;
        }
        return false;
    }
}
