namespace Segmentation.Quality;

/// <summary>
/// Flags annotators far below the others on a share of good clicks (the backend uses the share with the right polarity
/// for the reference). "Far" is measured against the group itself (its median and its robust spread), so a hard
/// campaign where everyone scores lower flags nobody, and a few careless annotators cannot drag the yardstick down with
/// them. When half the group or more is careless, the median is theirs and nobody is flagged. An annotator is flagged
/// only when the evidence says so: the upper end of the 95% Wilson interval of their share lies below the yardstick, so
/// a few clicks flag only a glaring share, and many clicks a clear one.
/// </summary>
public static class QualityOutliers
{
    /// <summary>Judged clicks an annotator needs to count in the group's median and spread.</summary>
    public const int DefaultMinJudgedForYardstick = 10;

    /// <summary>Judged clicks an annotator needs before being flagged at all.</summary>
    public const int DefaultMinJudgedClicks = 8;

    /// <summary>However tight the group, a flag needs a share at least this far below its median.</summary>
    public const double DefaultMinGap = 0.2;

    /// <summary>Spreads (1.4826 x the median absolute deviation, the standard deviation for normal data) below the median.</summary>
    public const double DefaultSpreads = 3;

    const double Z95 = 1.959964;

    /// <summary>The ids flagged, in the order given.</summary>
    public static IReadOnlyList<string> Flag(IReadOnlyList<(string AnnotatorId, int JudgedClicks, double Share)> annotators,
        int minJudgedClicks = DefaultMinJudgedClicks, double minGap = DefaultMinGap, double spreads = DefaultSpreads,
        int minJudgedForYardstick = DefaultMinJudgedForYardstick)
    {
        ArgumentNullException.ThrowIfNull(annotators);
        var scored = annotators.Where(a => a.JudgedClicks > 0 && double.IsFinite(a.Share)).ToArray();
        var yardstick = scored.Where(a => a.JudgedClicks >= minJudgedForYardstick).ToArray();
        // A group of fewer than three has no "others" to be far below.
        if (yardstick.Length < 3) return [];
        var median = Median(yardstick.Select(a => a.Share));
        var spread = 1.4826 * Median(yardstick.Select(a => Math.Abs(a.Share - median)));
        var threshold = median - Math.Max(minGap, spreads * spread);
        return scored.Where(a => a.JudgedClicks >= minJudgedClicks && WilsonUpper(a.Share, a.JudgedClicks) < threshold)
            .Select(a => a.AnnotatorId).ToArray();
    }

    /// <summary>The upper end of the 95% Wilson score interval of a share observed over <paramref name="n"/> trials.</summary>
    public static double WilsonUpper(double share, int n)
    {
        var z2 = Z95 * Z95;
        var centre = share + z2 / (2.0 * n);
        var half = Z95 * Math.Sqrt(share * (1 - share) / n + z2 / (4.0 * n * n));
        return Math.Min(1, (centre + half) / (1 + z2 / n));
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
