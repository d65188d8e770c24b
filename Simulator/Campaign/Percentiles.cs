namespace Simulator.Campaign;

/// <summary>p50 / p95 / p99 and the number of values of one series.</summary>
public sealed record PercentileSummary(double P50, double P95, double P99, int Count)
{
    public static PercentileSummary Of(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        return new PercentileSummary(
            Percentiles.OfSorted(sorted, 50), Percentiles.OfSorted(sorted, 95), Percentiles.OfSorted(sorted, 99), sorted.Length);
    }
}

/// <summary>Percentiles by linear interpolation between closest ranks (NumPy's default, Hyndman-Fan type 7).</summary>
public static class Percentiles
{
    /// <summary>
    /// The <paramref name="percent"/>-th percentile of ascending <paramref name="sorted"/>: the value at the
    /// fractional rank (n - 1) * percent / 100, interpolated between its neighbours. NaN for no values.
    /// </summary>
    public static double OfSorted(IReadOnlyList<double> sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (percent is < 0 or > 100 || double.IsNaN(percent))
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentile is between 0 and 100.");
        if (sorted.Count == 0) return double.NaN;
        var rank = (sorted.Count - 1) * percent / 100;
        var lower = (int)Math.Floor(rank);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        var fraction = rank - lower;
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
    }

    public static double Of(IEnumerable<double> values, double percent) => OfSorted(values.Order().ToArray(), percent);
}

/// <summary>Thread-safe named series of measurements (milliseconds of HTTP calls, server timings) and counters.</summary>
public sealed class MeasurementLog
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<double>> series = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> counters = new(StringComparer.Ordinal);

    /// <summary>Forgets every value and counter (the set-up's calls, before the measured part of a run).</summary>
    public void Clear()
    {
        lock (gate)
        {
            series.Clear();
            counters.Clear();
        }
    }

    public void Record(string name, double value)
    {
        lock (gate)
        {
            if (!series.TryGetValue(name, out var list)) series[name] = list = [];
            list.Add(value);
        }
    }

    public void Increment(string name)
    {
        lock (gate) counters[name] = counters.GetValueOrDefault(name) + 1;
    }

    public IReadOnlyList<double> Values(string name)
    {
        lock (gate) return series.TryGetValue(name, out var list) ? list.ToArray() : [];
    }

    public int Count(string name)
    {
        lock (gate) return counters.GetValueOrDefault(name);
    }

    public IReadOnlyDictionary<string, int> Counters()
    {
        lock (gate) return new Dictionary<string, int>(counters, StringComparer.Ordinal);
    }

    public PercentileSummary Summary(string name) => PercentileSummary.Of(Values(name));
}
