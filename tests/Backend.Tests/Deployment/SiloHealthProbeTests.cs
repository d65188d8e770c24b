using System.Net;
using System.Text.Json;

namespace Backend.Tests.Deployment;

/// <summary>The stand-alone silo's probe port, on the real <c>Silo</c> process (embedded SQLite storage).</summary>
public sealed class SiloHealthProbeTests : IDisposable
{
    readonly string dataFolder = Directory.CreateTempSubdirectory("annotation-silo-health-").FullName;

    [Fact]
    public async Task Ready_answers_200_once_the_silo_is_active_and_live_answers_on_every_interface()
    {
        var healthPort = GatewayProcess.FreePort();
        using var silo = SiloProcess.Start(
        [
            "--data", dataFolder, "--Orleans:SiloPort", GatewayProcess.FreePort().ToString(),
            "--Orleans:GatewayPort", GatewayProcess.FreePort().ToString(), "--Health:Port", healthPort.ToString(),
            "--Inference:BackgroundSlots", "1",
        ]);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var ready = new Uri($"http://127.0.0.1:{healthPort}/health/ready");

        var (status, body) = await PollUntilOk(client, ready, silo, TimeSpan.FromSeconds(90));

        Assert.True(status == HttpStatusCode.OK, $"/health/ready answered {(int?)status} {body}\n{silo.Log}");
        using (var json = JsonDocument.Parse(body!))
        {
            Assert.Equal("ready", json.RootElement.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("silo").GetString()));
        }
        using var live = await client.GetAsync($"http://127.0.0.1:{healthPort}/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True(ListensOnAllInterfaces(healthPort), $"port {healthPort} is not bound to every interface");
    }

    static async Task<(HttpStatusCode? Status, string? Body)> PollUntilOk(HttpClient client, Uri address, SiloProcess silo, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        (HttpStatusCode? Status, string? Body) last = (null, null);
        while (DateTime.UtcNow < deadline && !silo.HasExited)
        {
            try
            {
                using var response = await client.GetAsync(address);
                last = (response.StatusCode, await response.Content.ReadAsStringAsync());
                if (response.StatusCode == HttpStatusCode.OK) return last;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        return last;
    }

    /// <summary>Whether a listening socket on <paramref name="port"/> is bound to 0.0.0.0 or [::].</summary>
    static bool ListensOnAllInterfaces(int port)
    {
        static IEnumerable<string> Listening(string table, int port) => !File.Exists(table) ? [] : File.ReadAllLines(table).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[3] == "0A" && Convert.ToInt32(f[1][(f[1].IndexOf(':') + 1)..], 16) == port)
            .Select(f => f[1][..f[1].IndexOf(':')]);
        return Listening("/proc/net/tcp", port).Concat(Listening("/proc/net/tcp6", port)).Any(address => address.All(c => c == '0'));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dataFolder, recursive: true);
    }
}
