namespace Segmentation.Masks;

/// <summary>Mask quality measures used for evaluation.</summary>
public static class MaskMetrics
{
    /// <summary>
    /// Intersection over union. Pixels set in <paramref name="ignore"/> count neither in the
    /// intersection nor in the union. When the union is empty (both masks empty outside the ignored
    /// region) the IoU is 1: an empty prediction of an empty object is perfect.
    /// </summary>
    public static double IoU(BinaryMask prediction, BinaryMask groundTruth, BinaryMask? ignore = null)
    {
        prediction.RequireSameSize(groundTruth);
        ignore?.RequireSameSize(prediction);
        var p = prediction.Data;
        var g = groundTruth.Data;
        long intersection = 0, union = 0;
        if (ignore is null)
        {
            for (var i = 0; i < p.Length; i++)
            {
                intersection += p[i] & g[i];
                union += p[i] | g[i];
            }
        }
        else
        {
            var ig = ignore.Data;
            for (var i = 0; i < p.Length; i++)
            {
                var keep = ig[i] ^ 1;
                intersection += p[i] & g[i] & keep;
                union += (p[i] | g[i]) & keep;
            }
        }
        return union == 0 ? 1.0 : (double)intersection / union;
    }

    /// <summary>
    /// Boundary F-measure: the harmonic mean of boundary precision (the fraction of predicted boundary
    /// pixels lying within <paramref name="tolerancePx"/>, Euclidean, of a ground-truth boundary pixel)
    /// and boundary recall (the same the other way round).
    /// </summary>
    /// <remarks>
    /// The boundary of a mask (<see cref="Boundary"/>) is its object pixels with at least one of the four
    /// neighbours inside the image that is not in the object; the image border does not make a pixel a
    /// boundary pixel. Distances are measured between pixel centres to the whole boundary of the other
    /// mask, while boundary pixels inside <paramref name="ignore"/> are not counted in precision or recall.
    /// When neither mask has a (counted) boundary pixel the score is 1; when only one has, it is 0.
    /// </remarks>
    public static double BoundaryFMeasure(BinaryMask prediction, BinaryMask groundTruth, double tolerancePx = 5, BinaryMask? ignore = null)
    {
        prediction.RequireSameSize(groundTruth);
        ignore?.RequireSameSize(prediction);
        if (!(tolerancePx >= 0))
            throw new ArgumentOutOfRangeException(nameof(tolerancePx), $"Tolerance must be non-negative, got {tolerancePx}.");

        var predictedBoundary = Boundary(prediction);
        var trueBoundary = Boundary(groundTruth);
        var (predictedMatched, predictedCount) = CountWithin(predictedBoundary, trueBoundary, tolerancePx, ignore);
        var (trueMatched, trueCount) = CountWithin(trueBoundary, predictedBoundary, tolerancePx, ignore);
        if (predictedCount == 0 && trueCount == 0) return 1.0;
        if (predictedCount == 0 || trueCount == 0) return 0.0;
        var precision = (double)predictedMatched / predictedCount;
        var recall = (double)trueMatched / trueCount;
        return precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
    }

    /// <summary>Object pixels with a 4-neighbour (inside the image) that is background.</summary>
    public static BinaryMask Boundary(BinaryMask mask)
    {
        int width = mask.Width, height = mask.Height;
        var data = mask.Data;
        var result = new BinaryMask(width, height);
        var output = result.Data;
        for (var y = 0; y < height; y++)
        {
            var row = y * width;
            for (var x = 0; x < width; x++)
            {
                var i = row + x;
                if (data[i] == 0) continue;
                if ((x > 0 && data[i - 1] == 0) ||
                    (x < width - 1 && data[i + 1] == 0) ||
                    (y > 0 && data[i - width] == 0) ||
                    (y < height - 1 && data[i + width] == 0))
                    output[i] = 1;
            }
        }
        return result;
    }

    /// <summary>How many counted pixels of <paramref name="from"/> lie within the tolerance of <paramref name="to"/>, and how many are counted.</summary>
    private static (long Matched, long Counted) CountWithin(BinaryMask from, BinaryMask to, double tolerance, BinaryMask? ignore)
    {
        var source = from.Data;
        var ig = ignore?.Data;
        var counted = 0L;
        for (var i = 0; i < source.Length; i++)
            if (source[i] != 0 && (ig is null || ig[i] == 0)) counted++;
        if (counted == 0 || to.IsEmpty) return (0, counted);

        // Any pixel of `to` within the tolerance of a pixel of `from` lies in the box of `from` grown by
        // the tolerance, so the distance transform of that window is exact wherever it matters.
        var box = from.BoundingBox()!.Value;
        var margin = (int)Math.Min(Math.Ceiling(tolerance), Math.Max(from.Width, from.Height));
        var x0 = Math.Max(0, box.X - margin);
        var y0 = Math.Max(0, box.Y - margin);
        var x1 = Math.Min(from.Width, box.Right + margin);
        var y1 = Math.Min(from.Height, box.Bottom + margin);
        var window = new PixelRect(x0, y0, x1 - x0, y1 - y0);
        var squaredDistance = DistanceTransform.SquaredDistanceTo(MaskOps.Crop(to, window));

        var limit = tolerance * tolerance;
        var matched = 0L;
        for (var y = y0; y < y1; y++)
        {
            var row = y * from.Width;
            var windowRow = (y - y0) * window.Width - x0;
            for (var x = x0; x < x1; x++)
            {
                var i = row + x;
                if (source[i] != 0 && (ig is null || ig[i] == 0) && squaredDistance[windowRow + x] <= limit) matched++;
            }
        }
        return (matched, counted);
    }

    /// <summary>Arithmetic mean; NaN for an empty sequence.</summary>
    public static double Mean(IEnumerable<double> values)
    {
        double sum = 0;
        long n = 0;
        foreach (var value in values)
        {
            sum += value;
            n++;
        }
        return n == 0 ? double.NaN : sum / n;
    }
}
