namespace Segmentation.Masks;

/// <summary>
/// Exact squared Euclidean distance transform in linear time (Felzenszwalb and Huttenlocher's
/// lower envelope of parabolas, one pass over columns and one over rows).
/// </summary>
public static class DistanceTransform
{
    /// <summary>
    /// For every pixel, the squared distance to the nearest pixel where <paramref name="isSource"/> is set
    /// (0 on source pixels). Returns +infinity everywhere when there is no source pixel.
    /// </summary>
    public static float[] SquaredDistanceTo(BinaryMask isSource) => SquaredDistanceTo(isSource, sourceValue: 1);

    /// <summary>Squared distance from every pixel to the nearest pixel whose value is NOT <paramref name="insideValue"/>.</summary>
    public static float[] SquaredDistanceToOutside(BinaryMask mask, byte insideValue = 1) =>
        SquaredDistanceTo(mask, sourceValue: (byte)(insideValue ^ 1));

    private static float[] SquaredDistanceTo(BinaryMask mask, byte sourceValue)
    {
        int width = mask.Width, height = mask.Height;
        var result = new float[width * height];
        var n = Math.Max(width, height);
        var f = new float[n];
        var d = new float[n];
        var v = new int[n];
        var z = new double[n + 1];

        for (var x = 0; x < width; x++)
        {
            for (var y = 0; y < height; y++)
                f[y] = mask.Data[y * width + x] == sourceValue ? 0f : float.PositiveInfinity;
            Transform1D(f, height, d, v, z);
            for (var y = 0; y < height; y++) result[y * width + x] = d[y];
        }
        for (var y = 0; y < height; y++)
        {
            var row = y * width;
            for (var x = 0; x < width; x++) f[x] = result[row + x];
            Transform1D(f, width, d, v, z);
            for (var x = 0; x < width; x++) result[row + x] = d[x];
        }
        return result;
    }

    // In double: in float, f + q*q stops being exact past 2^24 and the rounded intersection can pick
    // the wrong parabola on images a few thousand pixels wide.
    private static double Intersection(float[] f, int q, int p) =>
        ((f[q] + (double)q * q) - (f[p] + (double)p * p)) / (2.0 * (q - p));

    private static void Transform1D(float[] f, int n, float[] d, int[] v, double[] z)
    {
        var k = -1;
        for (var q = 0; q < n; q++)
        {
            if (float.IsPositiveInfinity(f[q])) continue;
            if (k < 0)
            {
                k = 0;
                v[0] = q;
                z[0] = double.NegativeInfinity;
                z[1] = double.PositiveInfinity;
                continue;
            }
            var s = Intersection(f, q, v[k]);
            while (s <= z[k])
            {
                k--; // z[0] is -infinity, so this stops at k == 0
                s = Intersection(f, q, v[k]);
            }
            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = double.PositiveInfinity;
        }
        if (k < 0)
        {
            Array.Fill(d, float.PositiveInfinity, 0, n);
            return;
        }
        var j = 0;
        for (var q = 0; q < n; q++)
        {
            while (z[j + 1] < q) j++;
            var dq = q - v[j];
            d[q] = (float)((double)dq * dq + f[v[j]]);
        }
    }
}
