using Segmentation.Imaging;
using Segmentation.Masks;

namespace Segmentation.Tests.Simulation;

/// <summary>Synthetic masks and statistics for the simulation tests.</summary>
internal static class SimulationTestData
{
    /// <summary>A random blobby object: a union of a few disks and boxes, sometimes with a hole.</summary>
    public static BinaryMask RandomBlob(Random rng, int width, int height)
    {
        var mask = new BinaryMask(width, height);
        var parts = rng.Next(1, 5);
        for (var i = 0; i < parts; i++)
        {
            double cx = rng.NextDouble() * width, cy = rng.NextDouble() * height;
            if (rng.Next(2) == 0)
            {
                Raster.FillDisk(mask, cx, cy, 8 + rng.NextDouble() * width / 4);
            }
            else
            {
                double w = 10 + rng.NextDouble() * width / 2, h = 10 + rng.NextDouble() * height / 2;
                mask = mask.Or(Raster.FillBox(width, height, new BoxF(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)));
            }
        }
        if (rng.Next(3) == 0)
            mask = mask.AndNot(Raster.Disk(width, height, rng.NextDouble() * width, rng.NextDouble() * height, 5 + rng.NextDouble() * 15));
        return mask;
    }

    /// <summary>A prediction near <paramref name="gt"/>: optionally shifted, with random disks added and removed.</summary>
    public static BinaryMask Perturb(BinaryMask gt, Random rng)
    {
        int width = gt.Width, height = gt.Height;
        int dx = rng.Next(-6, 7), dy = rng.Next(-6, 7);
        var mask = BinaryMask.FromPredicate(width, height, (x, y) => gt.Contains(x - dx, y - dy) && gt[x - dx, y - dy]);
        for (var i = rng.Next(0, 4); i > 0; i--)
            Raster.FillDisk(mask, rng.NextDouble() * width, rng.NextDouble() * height, 3 + rng.NextDouble() * 20);
        for (var i = rng.Next(0, 4); i > 0; i--)
            mask = mask.AndNot(Raster.Disk(width, height, rng.NextDouble() * width, rng.NextDouble() * height, 3 + rng.NextDouble() * 20));
        return mask;
    }

    /// <summary>
    /// Area of the 8-connected component of <paramref name="mask"/> containing (x, y), 0 if unset; a plain flood fill,
    /// independent of <see cref="ConnectedComponents"/>.
    /// </summary>
    public static int ComponentArea(BinaryMask mask, int x, int y)
    {
        if (!mask.Contains(x, y) || !mask[x, y]) return 0;
        var seen = new bool[mask.Width * mask.Height];
        var stack = new Stack<(int X, int Y)>();
        stack.Push((x, y));
        seen[y * mask.Width + x] = true;
        var area = 0;
        while (stack.Count > 0)
        {
            var (px, py) = stack.Pop();
            area++;
            for (var dy = -1; dy <= 1; dy++)
                for (var dx = -1; dx <= 1; dx++)
                {
                    int nx = px + dx, ny = py + dy;
                    if (!mask.Contains(nx, ny) || !mask[nx, ny] || seen[ny * mask.Width + nx]) continue;
                    seen[ny * mask.Width + nx] = true;
                    stack.Push((nx, ny));
                }
        }
        return area;
    }

    /// <summary>
    /// Brute-force squared distance from (x, y) to the nearest pixel outside <paramref name="mask"/>, where the
    /// one-pixel ring around the image also counts as outside.
    /// </summary>
    public static long DepthSquared(BinaryMask mask, int x, int y)
    {
        if (!mask[x, y]) return 0;
        long best = long.MaxValue;
        for (var oy = -1; oy <= mask.Height; oy++)
            for (var ox = -1; ox <= mask.Width; ox++)
            {
                if (mask.Contains(ox, oy) && mask[ox, oy]) continue;
                long d = (long)(ox - x) * (ox - x) + (long)(oy - y) * (oy - y);
                if (d < best) best = d;
            }
        return best;
    }

    public static double StdDev(IReadOnlyList<double> values, out double mean)
    {
        var m = values.Average();
        mean = m;
        return Math.Sqrt(values.Sum(v => (v - m) * (v - m)) / (values.Count - 1));
    }
}
