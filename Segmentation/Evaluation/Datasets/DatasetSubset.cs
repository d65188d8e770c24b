namespace Segmentation.Evaluation.Datasets;

/// <summary>Deterministic subsets of a dataset for quick evaluation runs.</summary>
public static class DatasetSubset
{
    /// <summary>
    /// The instances at positions 0, n, 2n, ... after sorting by ordinal <see cref="EvaluationInstance.Id"/>,
    /// so the subset depends only on the ids, not on the order they were listed in. n = 1 keeps all.
    /// </summary>
    /// <param name="offset">The first position kept (0 to n - 1): n subsets with offsets 0 to n - 1 split the dataset.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is less than 1, or the offset is not in [0, n).</exception>
    public static IReadOnlyList<EvaluationInstance> EveryNth(IReadOnlyList<EvaluationInstance> instances, int n, int offset = 0)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, n);
        var sorted = instances.OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
        var result = new List<EvaluationInstance>((sorted.Count + n - 1) / n);
        for (var i = offset; i < sorted.Count; i += n) result.Add(sorted[i]);
        return result;
    }
}
