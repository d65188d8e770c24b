using System.Diagnostics;

namespace Simulator.Load;

/// <summary>CPU time used and memory held over one load level, read from the operating system.</summary>
/// <param name="CpuCores">Processor seconds the server's processes used per second of wall time (2.0 = two cores busy).</param>
/// <param name="PeakResidentMiB">The largest sum of the server's processes' resident memory seen at a sample.</param>
/// <param name="SimulatorCpuCores">The same for this simulator, which shares the machine with a server on loopback.</param>
/// <param name="MachineCpuCores">Cores busy on the whole machine (every process, the database included); null where unknown.</param>
public sealed record ServerUsage(double CpuCores, double PeakResidentMiB, double SimulatorCpuCores, double? MachineCpuCores);

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
        var simulatorStart = Process.GetCurrentProcess().TotalProcessorTime;
        var machineStart = MachineTicks();
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
        var simulator = (Process.GetCurrentProcess().TotalProcessorTime - simulatorStart).TotalSeconds;
        double? machine = null;
        if (machineStart is { } a && MachineTicks() is { } b && b.Total > a.Total)
            machine = (double)(b.Busy - a.Busy) / (b.Total - a.Total) * Environment.ProcessorCount;
        return new ServerUsage(wall > 0 ? used / wall : 0, peak, wall > 0 ? simulator / wall : 0, machine);
    }

    /// <summary>Busy and total processor ticks of the machine from /proc/stat (Linux); null elsewhere.</summary>
    private static (long Busy, long Total)? MachineTicks()
    {
        const string stat = "/proc/stat";
        if (!File.Exists(stat)) return null;
        var line = File.ReadLines(stat).FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        if (line is null) return null;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (fields.Length < 5) return null;
        // user nice system idle iowait irq softirq steal ...: idle and iowait are the processor waiting.
        var total = fields.Take(8).Sum();
        return (total - fields[3] - fields[4], total);
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
