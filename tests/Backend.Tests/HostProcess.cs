using System.Diagnostics;
using Segmentation.Tests;

namespace Backend.Tests;

/// <summary>Starts one of the repository's hosts (the gateway, the silo) from its build output as an operating-system process.</summary>
public static class HostProcess
{
    /// <summary>
    /// Runs <c>PROJECT/bin/CONFIGURATION/net10.0/PROJECT.dll</c> (the configuration the tests were built in) with
    /// <paramref name="arguments"/>, writing every line it prints to <paramref name="log"/> (locked while written).
    /// </summary>
    /// <exception cref="FileNotFoundException">The host was not built.</exception>
    public static Process Start(string project, IEnumerable<string> arguments, StringWriter log)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var dll = Path.Combine(TestData.RepoRoot, project, "bin", configuration, "net10.0", project + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build {project} first: {dll} is missing.", dll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"The {project} process did not start.");
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    static void Append(StringWriter log, string? line)
    {
        if (line is null) return;
        lock (log) log.WriteLine(line);
    }
}
