using System.Diagnostics;
using Segmentation.Tests;

namespace Backend.Tests.Deployment;

/// <summary>The stand-alone silo (<c>Silo/</c>) as its own operating-system process, as an operator starts it.</summary>
public sealed class SiloProcess : IDisposable
{
    readonly Process process;
    readonly StringWriter log = new();

    SiloProcess(Process process) => this.process = process;

    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    public bool HasExited => process.HasExited;

    public static SiloProcess Start(IReadOnlyList<string> arguments)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var dll = Path.Combine(TestData.RepoRoot, "Silo", "bin", configuration, "net10.0", "Silo.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build the silo first: {dll} is missing.", dll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("The silo process did not start.");
        var silo = new SiloProcess(process);
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (log) log.WriteLine(line);
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
        process.Dispose();
    }
}
