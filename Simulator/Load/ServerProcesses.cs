using System.Diagnostics;

namespace Simulator.Load;

/// <summary>CPU time used and memory held by the server's processes over one load level, read from the operating system.</summary>
/// <param name="CpuCores">Processor seconds used per second of wall time, summed over the processes (2.0 = two cores busy).</param>
/// <param name="PeakResidentMiB">The largest sum of the processes' resident memory seen at a sample.</param>
public sealed record ServerUsage(double CpuCores, double PeakResidentMiB);

/// <summary>
/// Samples the server's processes (given by process id, on this machine) once a second: processor time and resident
/// memory. A process that has exited counts with what it used until it was last seen.
/// </summary>
public sealed class ServerProcesses(IReadOnlyList<int> processIds)
{
    /// <summary>Samples until <paramref name="stop"/> is cancelled, then reports the usage since the call.</summary>
    public async Task<ServerUsage> MeasureAsync(CancellationToken stop)
    {
        var watch = Stopwatch.StartNew();
        var first = new Dictionary<int, TimeSpan>();
        var last = new Dictionary<int, TimeSpan>();
        double peak = 0;
        void Sample()
        {
            double resident = 0;
            foreach (var id in processIds)
            {
                try
                {
                    using var process = Process.GetProcessById(id);
                    var cpu = process.TotalProcessorTime;
                    first.TryAdd(id, cpu);
                    last[id] = cpu;
                    resident += process.WorkingSet64 / (1024.0 * 1024.0);
                }
                catch (ArgumentException)
                {
                    // Exited (or never ran here): its last sample stands.
                }
                catch (InvalidOperationException)
                {
                    // Exited between the lookup and the reading.
                }
            }
            peak = Math.Max(peak, resident);
        }
        Sample();
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
                Sample();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Sample();
        }
        var used = last.Sum(p => (p.Value - first[p.Key]).TotalSeconds);
        var wall = watch.Elapsed.TotalSeconds;
        return new ServerUsage(wall > 0 ? used / wall : 0, peak);
    }

    /// <summary>Ids from "123,456"; an id that is not a running process is refused.</summary>
    /// <exception cref="UsageException">Not a list of process ids of this machine.</exception>
    public static IReadOnlyList<int> Parse(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var ids = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var id) || id <= 0)
                throw new UsageException($"Option --{option} takes process ids separated by commas, got '{text}'.");
            try
            {
                using var process = Process.GetProcessById(id);
            }
            catch (ArgumentException)
            {
                throw new UsageException($"Option --{option}: no process {id} runs on this machine.");
            }
            ids.Add(id);
        }
        return ids;
    }
}
