namespace Segmentation.Ranking;

/// <summary>One point of the quality curve: the mean true IoU of the top <see cref="Percent"/>% of masks by predicted IoU.</summary>
public sealed record TopPercentPoint(int Percent, int Instances, double MeanTrueIoU);

/// <summary>
/// The figures of one ranking of masks by predicted IoU: how many masks, their mean true IoU, the Spearman correlation of
/// predicted and true IoU (NaN for fewer than 2 masks or a constant side) and the top-N% curve.
/// </summary>
public sealed record RankingQuality(int Masks, double AllMeanIoU, double Spearman, IReadOnlyList<TopPercentPoint> Curve)
{
    /// <summary>How much the mean true IoU of the top <paramref name="percent"/>% exceeds the mean of all (IoU units); NaN off the curve.</summary>
    public double TopPercentGain(int percent) =>
        Curve.FirstOrDefault(p => p.Percent == percent) is { } point ? point.MeanTrueIoU - AllMeanIoU : double.NaN;
}

/// <summary>How well predicted mask quality orders masks by their true quality (the paper's figure 8).</summary>
public static class RankingMetrics
{
    public static readonly IReadOnlyList<int> CurvePercents = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

    /// <summary>Spearman, the mean true IoU and the top-N% curve of <paramref name="masks"/>.</summary>
    public static RankingQuality Quality(IReadOnlyList<(double Predicted, double TrueIoU)> masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        return new RankingQuality(masks.Count, masks.Count == 0 ? double.NaN : masks.Average(m => m.TrueIoU),
            Spearman(masks.Select(m => m.Predicted).ToArray(), masks.Select(m => m.TrueIoU).ToArray()), TopPercentCurve(masks));
    }

    /// <summary>Spearman's rank correlation (Pearson correlation of the ranks, ties given their mean rank). NaN for fewer than 2 pairs or a constant side.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} predictions but {y.Count} true values.");
        if (x.Count < 2) return double.NaN;
        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>
    /// For each percent N, the mean true IoU of the ceil(N% of n) masks with the highest predicted IoU (ties broken by the
    /// lower true IoU first, so ties never flatter the ranking). Empty for no masks.
    /// </summary>
    public static IReadOnlyList<TopPercentPoint> TopPercentCurve(
        IReadOnlyList<(double Predicted, double TrueIoU)> masks, IReadOnlyList<int>? percents = null)
    {
        ArgumentNullException.ThrowIfNull(masks);
        percents ??= CurvePercents;
        if (masks.Count == 0) return [];
        var ordered = masks.OrderByDescending(m => m.Predicted).ThenBy(m => m.TrueIoU).ToArray();
        var prefix = new double[ordered.Length + 1];
        for (var i = 0; i < ordered.Length; i++) prefix[i + 1] = prefix[i] + ordered[i].TrueIoU;
        return percents.Select(p =>
        {
            if (p is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(percents), $"Percent {p} is outside [1, 100].");
            var n = Math.Max(1, (int)Math.Ceiling(ordered.Length * p / 100.0 - 1e-9));
            return new TopPercentPoint(p, n, prefix[n] / n);
        }).ToArray();
    }

    static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            var mean = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++) ranks[order[k]] = mean;
            start = end + 1;
        }
        return ranks;
    }

    static double Pearson(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }
}
