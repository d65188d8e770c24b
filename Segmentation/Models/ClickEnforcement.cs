using Segmentation.Masks;

namespace Segmentation.Models;

/// <summary>
/// Makes a mask agree with every click: a foreground click outside the mask adds a disc around it, a background click
/// inside removes one. The disc reaches to the nearest pixel already on the click's side (so a click next to the mask
/// joins it), at most <c>maxRadius</c>, and stays short of half-way to the nearest click of the other label, so discs of
/// opposite clicks never overlap and each click ends on its own side. Two exceptions, both input no caller should give:
/// of two clicks with different labels on one pixel the later one wins, and a click outside the mask is left alone.
/// The mask stays untouched elsewhere.
/// </summary>
public static class ClickEnforcement
{
    /// <summary>The mask with every click respected, and how many pixels changed (0: the mask itself is returned).</summary>
    public static (BinaryMask Mask, long Changed) Apply(BinaryMask mask, IReadOnlyList<Click> clicks, double maxRadius)
    {
        if (!(maxRadius >= 0) || double.IsInfinity(maxRadius))
            throw new ArgumentOutOfRangeException(nameof(maxRadius), maxRadius, "The disc's largest radius must be a finite number of pixels, 0 or more.");
        BinaryMask? result = null;
        long changed = 0;
        for (var k = 0; k < clicks.Count; k++)
        {
            var click = clicks[k];
            var (cx, cy) = (click.PixelX, click.PixelY);
            if (!mask.Contains(cx, cy)) continue;
            var want = click.IsForeground ? (byte)1 : (byte)0;
            // Discs are sized on the mask as given, not on the discs painted before them.
            if (mask.Data[cy * mask.Width + cx] == want) continue;

            // Squared radii, so that a pixel exactly as far as the nearest pixel on the click's side is inside the disc.
            var r2 = Math.Min(maxRadius * maxRadius, SquaredDistanceToSide(mask, cx, cy, want, maxRadius));
            for (var j = 0; j < clicks.Count && r2 >= 0; j++)
            {
                if (clicks[j].IsForeground == click.IsForeground) continue;
                var dx = clicks[j].PixelX - cx;
                var dy = clicks[j].PixelY - cy;
                if (dx == 0 && dy == 0)
                {
                    r2 = Math.Min(r2, j < k ? 0 : -1);
                    continue;
                }
                var half = Math.Sqrt(dx * dx + dy * dy) / 2 - 0.5;
                r2 = Math.Min(r2, half * half);
            }
            if (r2 < 0) continue;

            result ??= mask.Clone();
            var r = (int)Math.Floor(Math.Sqrt(r2));
            for (var y = Math.Max(0, cy - r); y <= Math.Min(mask.Height - 1, cy + r); y++)
            for (var x = Math.Max(0, cx - r); x <= Math.Min(mask.Width - 1, cx + r); x++)
            {
                var ddx = x - cx;
                var ddy = y - cy;
                var i = y * mask.Width + x;
                if (ddx * ddx + ddy * ddy > r2 || result.Data[i] == want) continue;
                result.Data[i] = want;
                changed++;
            }
        }
        return (result ?? mask, changed);
    }

    /// <summary>Squared distance from (cx, cy) to the nearest pixel whose value is <paramref name="side"/>, searched up to <paramref name="limit"/>; the limit squared when none is that close.</summary>
    private static double SquaredDistanceToSide(BinaryMask mask, int cx, int cy, byte side, double limit)
    {
        var r = (int)Math.Ceiling(limit);
        var best = limit * limit;
        for (var y = Math.Max(0, cy - r); y <= Math.Min(mask.Height - 1, cy + r); y++)
        for (var x = Math.Max(0, cx - r); x <= Math.Min(mask.Width - 1, cx + r); x++)
        {
            var dx = x - cx;
            var dy = y - cy;
            var d2 = dx * dx + dy * dy;
            if (d2 < best && mask.Data[y * mask.Width + x] == side) best = d2;
        }
        return best;
    }
}
