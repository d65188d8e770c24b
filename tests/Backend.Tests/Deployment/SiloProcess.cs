using System.Diagnostics;

namespace Backend.Tests.Deployment;

/// <summary>The stand-alone silo (<c>Silo/</c>) as its own operating-system process, as an operator starts it.</summary>
public sealed class SiloProcess : IDisposable
{
    readonly Process process;
    readonly StringWriter log;

    SiloProcess(Process process, StringWriter log)
    {
        this.process = process;
        this.log = log;
    }

    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    public bool HasExited => process.HasExited;

    public static SiloProcess Start(IReadOnlyList<string> arguments)
    {
        var log = new StringWriter();
        return new SiloProcess(HostProcess.Start("Silo", arguments, log), log);
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
        process.Dispose();
    }
}
