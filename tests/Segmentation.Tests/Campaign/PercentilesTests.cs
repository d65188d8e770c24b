using Simulator.Campaign;

namespace Segmentation.Tests.Campaign;

public sealed class PercentilesTests
{
    [Fact]
    public void One_to_hundred_interpolates_between_closest_ranks()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToArray(); // any order
        var summary = PercentileSummary.Of(values);
        Assert.Equal(50.5, summary.P50, 9);
        Assert.Equal(95.05, summary.P95, 9);
        Assert.Equal(99.01, summary.P99, 9);
        Assert.Equal(100, summary.Count);
    }

    [Fact]
    public void Small_series_match_numpy_linear_percentiles()
    {
        // numpy.percentile([10, 20, 30, 40], [50, 95, 99]) -> [25.0, 38.5, 39.7]
        double[] values = [40, 10, 30, 20];
        Assert.Equal(25, Percentiles.Of(values, 50), 9);
        Assert.Equal(38.5, Percentiles.Of(values, 95), 9);
        Assert.Equal(39.7, Percentiles.Of(values, 99), 9);
        Assert.Equal(10, Percentiles.Of(values, 0), 9);
        Assert.Equal(40, Percentiles.Of(values, 100), 9);
        Assert.Equal(7, Percentiles.Of([7], 99), 9);
    }

    [Fact]
    public void No_values_give_nan_and_a_zero_count()
    {
        var summary = PercentileSummary.Of([]);
        Assert.True(double.IsNaN(summary.P50));
        Assert.Equal(0, summary.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1, 2], 101));
    }

    [Fact]
    public void Measurement_log_keeps_named_series_and_counters_across_threads()
    {
        var log = new MeasurementLog();
        Parallel.For(0, 1000, i =>
        {
            log.Record("next", i);
            if (i % 10 == 0) log.Increment("retries.next");
        });
        Assert.Equal(1000, log.Values("next").Count);
        Assert.Equal(100, log.Count("retries.next"));
        Assert.Equal(499.5, log.Summary("next").P50, 9);
        Assert.Empty(log.Values("submit"));
    }
}
