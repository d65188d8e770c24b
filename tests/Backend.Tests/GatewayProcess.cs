using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Backend.Tests;

/// <summary>
/// The gateway (with its co-hosted silo) as a separate operating-system process on loopback, so a test can kill it
/// without warning (SIGKILL) and start it again on the same data folder.
/// </summary>
public sealed class GatewayProcess : IDisposable
{
    readonly Process process;
    readonly StringWriter log;

    GatewayProcess(Process process, Uri address, StringWriter log)
    {
        this.process = process;
        Address = address;
        this.log = log;
    }

    public Uri Address { get; }

    /// <summary>The operating system's id of the gateway process.</summary>
    public int ProcessId => process.Id;

    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    public static async Task<GatewayProcess> Start(string dataFolder, int httpPort, int siloPort, int gatewayPort, TimeSpan timeout, IReadOnlyList<string>? extra = null)
    {
        string[] arguments =
        [
            "--urls", $"http://127.0.0.1:{httpPort}", "--data", dataFolder,
            "--Orleans:SiloPort", siloPort.ToString(), "--Orleans:GatewayPort", gatewayPort.ToString(),
            "--Inference:BackgroundSlots", "1", "--Inference:InteractiveSlots", "1",
            .. TestGatewaySettings.Arguments,
            .. extra ?? [],
        ];
        var log = new StringWriter();
        var process = HostProcess.Start("ApiGateway", arguments, log);
        var gateway = new GatewayProcess(process, new Uri($"http://127.0.0.1:{httpPort}"), log);

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The gateway exited with code {process.ExitCode}:\n{gateway.Log}");
            try
            {
                using var response = await client.GetAsync(new Uri(gateway.Address, "/health"));
                if (response.StatusCode == HttpStatusCode.OK) return gateway;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but not answering yet.
            }
            await Task.Delay(200);
        }
        gateway.Dispose();
        throw new TimeoutException($"The gateway was not ready within {timeout}:\n{gateway.Log}");
    }

    /// <summary>Kills the process at once (SIGKILL on Unix): no shutdown code runs.</summary>
    public void Kill()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }
}
