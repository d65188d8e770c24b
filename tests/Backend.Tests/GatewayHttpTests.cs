using System.Net;
using System.Text.Json;
using ApiGateway;
using Microsoft.AspNetCore.Builder;
using Orleans.TestingHost;

namespace Backend.Tests;

/// <summary>
/// Runs the real gateway application (co-hosted silo included) on an ephemeral
/// 127.0.0.1 port and talks to it over loopback HTTP.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    readonly TestClusterPortAllocator ports = new();
    readonly string dataFolder = Directory.CreateTempSubdirectory("annotation-gateway-").FullName;
    WebApplication? app;

    /// <summary>Signed in as the admin, or as annotator A on <c>/annotators/A/</c> paths (see <see cref="TestAccountsHandler"/>).</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>A client that sends no credentials.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public string AdminToken { get; private set; } = "";

    /// <summary>The co-hosted silo's silo-to-silo and client ports.</summary>
    public (int Silo, int Gateway) OrleansPorts { get; private set; }

    public async Task InitializeAsync()
    {
        var (siloPort, gatewayPort) = ports.AllocateConsecutivePortPairs(1);
        OrleansPorts = (siloPort, gatewayPort);
        app = Gateway.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--Orleans:SiloPort", siloPort.ToString(),
            "--Orleans:GatewayPort", gatewayPort.ToString(),
            "--data", dataFolder,
            .. TestGatewaySettings.Arguments,
        ]);
        await app.StartAsync();
        Anonymous = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(10) };
        AdminToken = await TestGatewaySettings.Token(Anonymous, "admin", TestGatewaySettings.AdminPassword);
        Client = new HttpClient(new TestAccountsHandler(AdminToken)) { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        ports.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dataFolder, recursive: true);
    }
}

public sealed class GatewayHttpTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Health_reports_ready_once_the_silo_answers()
    {
        using var response = await fixture.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Liveness_answers_without_sign_in()
    {
        using var response = await fixture.Anonymous.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("live", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void The_embedded_silo_listens_on_loopback_only()
    {
        // /proc/net/tcp lists listening sockets (state 0A) as hex "address:port"; 0100007F is 127.0.0.1.
        var listening = File.ReadAllLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[3] == "0A")
            .Select(f => (Address: f[1][..8], Port: Convert.ToInt32(f[1][9..], 16)))
            .ToArray();
        var ipv6 = File.Exists("/proc/net/tcp6") ? File.ReadAllLines("/proc/net/tcp6").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[3] == "0A").Select(f => Convert.ToInt32(f[1][^4..], 16)).ToArray() : [];
        foreach (var port in new[] { fixture.OrleansPorts.Silo, fixture.OrleansPorts.Gateway })
        {
            var sockets = listening.Where(s => s.Port == port).ToArray();
            Assert.NotEmpty(sockets);
            Assert.All(sockets, s => Assert.Equal("0100007F", s.Address));
            Assert.DoesNotContain(port, ipv6);
        }
    }

    [Fact]
    public async Task Unknown_api_route_is_a_problem_details_404()
    {
        using var response = await fixture.Client.GetAsync("/api/v1/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, body.RootElement.GetProperty("status").GetInt32());
        Assert.True(body.RootElement.TryGetProperty("title", out _));
    }
}
