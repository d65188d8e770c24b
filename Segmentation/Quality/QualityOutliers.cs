namespace Segmentation.Quality;

/// <summary>
/// Flags annotators far below the others on a share of good clicks (the backend uses the share with the right polarity
/// for the reference). "Far" is measured against the group itself (its median and its robust spread), so a hard
/// campaign where everyone scores lower flags nobody, and a few careless annotators cannot drag the yardstick down with
/// them. When half the group or more is careless, the median is theirs and nobody is flagged.
/// </summary>
public static class QualityOutliers
{
    /// <summary>Judged clicks an annotator needs before being flagged: fewer say too little.</summary>
    public const int DefaultMinJudgedClicks = 20;

    /// <summary>However tight the group, a flag needs a share at least this far below its median.</summary>
    public const double DefaultMinGap = 0.2;

    /// <summary>Spreads (1.4826 x the median absolute deviation, the standard deviation for normal data) below the median.</summary>
    public const double DefaultSpreads = 3;

    /// <summary>The ids flagged, in the order given.</summary>
    public static IReadOnlyList<string> Flag(IReadOnlyList<(string AnnotatorId, int JudgedClicks, double Share)> annotators,
        int minJudgedClicks = DefaultMinJudgedClicks, double minGap = DefaultMinGap, double spreads = DefaultSpreads)
    {
        ArgumentNullException.ThrowIfNull(annotators);
        var judged = annotators.Where(a => a.JudgedClicks >= minJudgedClicks && double.IsFinite(a.Share)).ToArray();
        // A group of fewer than three has no "others" to be far below.
        if (judged.Length < 3) return [];
        var median = Median(judged.Select(a => a.Share));
        var spread = 1.4826 * Median(judged.Select(a => Math.Abs(a.Share - median)));
        var threshold = median - Math.Max(minGap, spreads * spread);
        return judged.Where(a => a.Share < threshold).Select(a => a.AnnotatorId).ToArray();
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
