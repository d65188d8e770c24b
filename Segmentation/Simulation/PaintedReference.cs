using Segmentation.Masks;

namespace Segmentation.Simulation;

/// <summary>
/// A careful painter's mask of an object whose true mask is known: the true boundary moved in and out by a smooth random
/// offset of at most <c>amplitude</c> pixels, as a brush follows an outline closely but never exactly.
/// </summary>
public static class PaintedReference
{
    /// <summary>The offset varies smoothly between random values on a grid of this many pixels.</summary>
    public const int NoiseCell = 24;

    public static BinaryMask Paint(BinaryMask truth, double amplitude, Random rng)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(amplitude >= 0) || !double.IsFinite(amplitude))
            throw new ArgumentOutOfRangeException(nameof(amplitude), amplitude, "The boundary noise amplitude must be a finite number >= 0.");
        int width = truth.Width, height = truth.Height;
        var inside = DistanceTransform.SquaredDistanceToOutside(truth);
        var outside = DistanceTransform.SquaredDistanceTo(truth);
        int gridW = width / NoiseCell + 2, gridH = height / NoiseCell + 2;
        var grid = new double[gridW * gridH];
        for (var i = 0; i < grid.Length; i++) grid[i] = (rng.NextDouble() * 2 - 1) * amplitude;

        var painted = new BinaryMask(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = y * width + x;
                // Signed distance: positive inside the object (to the nearest background pixel), negative outside.
                var signed = truth.Data[i] == 1 ? Math.Sqrt(inside[i]) : -Math.Sqrt(outside[i]);
                if (signed + Offset(grid, gridW, x, y) > 0) painted.Data[i] = 1;
            }
        }
        return painted;
    }

    static double Offset(double[] grid, int gridW, int x, int y)
    {
        double gx = (double)x / NoiseCell, gy = (double)y / NoiseCell;
        int cx = (int)gx, cy = (int)gy;
        double fx = gx - cx, fy = gy - cy;
        var top = grid[cy * gridW + cx] * (1 - fx) + grid[cy * gridW + cx + 1] * fx;
        var bottom = grid[(cy + 1) * gridW + cx] * (1 - fx) + grid[(cy + 1) * gridW + cx + 1] * fx;
        return top * (1 - fy) + bottom * fy;
    }
}
