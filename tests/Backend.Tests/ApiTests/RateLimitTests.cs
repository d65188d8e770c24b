using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApiGateway;
using Microsoft.AspNetCore.Builder;
using Orleans.TestingHost;

namespace Backend.Tests.ApiTests;

/// <summary>A gateway with small budgets: a burst from one caller is slowed with 429 and Retry-After; other callers are not.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    readonly TestClusterPortAllocator ports = new();
    readonly string dataFolder = Directory.CreateTempSubdirectory("annotation-limits-").FullName;
    WebApplication? app;
    HttpClient client = null!;

    public async Task InitializeAsync()
    {
        var (siloPort, gatewayPort) = ports.AllocateConsecutivePortPairs(1);
        app = Gateway.Build(
        [
            "--urls", "http://127.0.0.1:0", "--data", dataFolder,
            "--Orleans:SiloPort", siloPort.ToString(), "--Orleans:GatewayPort", gatewayPort.ToString(),
            "--admin-password", TestGatewaySettings.AdminPassword, "--image-roots", TestGatewaySettings.ImageRoots,
            "--RateLimit:Burst", "20", "--RateLimit:PermitsPerSecond", "1", "--RateLimit:SignInPerMinute", "5",
        ]);
        await app.StartAsync();
        client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        ports.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dataFolder, recursive: true);
    }

    [Fact]
    public async Task A_burst_from_one_caller_gets_429_with_retry_after_and_another_caller_is_not_slowed()
    {
        var admin = await TestGatewaySettings.Token(client, "admin", TestGatewaySettings.AdminPassword);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/users")
               { Content = JsonContent.Create(new { userName = "second", password = "second-password" }) })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            using var created = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        var second = await TestGatewaySettings.Token(client, "second", "second-password");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 60; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/campaigns");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && refused is null) refused = response;
            else response.Dispose();
        }
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) is >= 15 and < 40, string.Join(",", statuses.Select(s => (int)s)));
        Assert.NotNull(refused);
        using (refused)
        {
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            await Api.Problem(refused, HttpStatusCode.TooManyRequests, "rate_limited", "caller");
        }

        using var other = new HttpRequestMessage(HttpMethod.Get, "/api/v1/campaigns");
        other.Headers.Authorization = new AuthenticationHeaderValue("Bearer", second);
        using var answer = await client.SendAsync(other);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    [Fact]
    public async Task Password_guessing_from_one_address_is_cut_off_after_a_few_tries()
    {
        var statuses = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await client.PostAsJsonAsync("/api/v1/auth/tokens", new { userName = "admin", password = $"guess-{i}-password" });
            statuses.Add((int)response.StatusCode);
        }
        Assert.Equal([401, 401, 401, 401, 401, 429, 429, 429], statuses);
    }
}
