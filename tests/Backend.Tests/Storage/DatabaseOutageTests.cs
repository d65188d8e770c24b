using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Segmentation.Tests;

namespace Backend.Tests.Storage;

/// <summary>
/// A gateway on PostgreSQL while the database is stopped: an answer gets 503 with Retry-After and is not recorded;
/// once the database is back, the same answer sent again is recorded once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DatabaseOutageTests(PostgresServer server) : IDisposable
{
    readonly string dataFolder = Directory.CreateTempSubdirectory("annotation-outage-").FullName;

    [Fact]
    public async Task An_answer_during_a_database_outage_gets_503_and_its_retry_after_the_outage_is_recorded_once()
    {
        var ports = (Http: GatewayProcess.FreePort(), Silo: GatewayProcess.FreePort(), Gateway: GatewayProcess.FreePort());
        var gateway = await GatewayProcess.Start(dataFolder, ports.Http, ports.Silo, ports.Gateway, TimeSpan.FromSeconds(90),
            ["--storage", "postgres", "--connection", server.ConnectionString, "--Orleans:ClusterId", "outage-" + Guid.NewGuid().ToString("N")[..8]]);
        HttpClient? client = null;
        var stopped = false;
        try
        {
            using (var anonymous = new HttpClient { BaseAddress = gateway.Address })
            {
                var token = await TestGatewaySettings.Token(anonymous, "admin", TestGatewaySettings.AdminPassword);
                client = new HttpClient(new TestAccountsHandler(token)) { BaseAddress = gateway.Address, Timeout = TimeSpan.FromSeconds(60) };
            }
            var campaignId = "outage-" + Guid.NewGuid().ToString("N")[..8];
            using (var created = await client.PostAsJsonAsync("/api/v1/campaigns", new
            {
                id = campaignId, imageRoot = Path.Combine(TestData.DavisDirectory, "img"), rounds = 2, maxClicksPerRound = 3, model = "box", shards = 1,
            }))
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            const string csv = "ImageID,LabelName,XMin,XMax,YMin,YMax,BoxID\n000,object,0.1,0.5,0.1,0.5,a\n001,object,0.2,0.6,0.2,0.6,b\n";
            using (var import = await client.PostAsync($"/api/v1/campaigns/{campaignId}/imports?format=openimages&onError=reject",
                new StringContent(csv, Encoding.UTF8, "text/csv")))
                Assert.Equal(HttpStatusCode.OK, import.StatusCode);
            using (var start = await client.PostAsync($"/api/v1/campaigns/{campaignId}/start", null))
                Assert.Equal(HttpStatusCode.OK, start.StatusCode);
            using (var account = await client.PostAsJsonAsync("/api/v1/users", new { userName = "outage-annotator", password = Guid.NewGuid().ToString("N") }))
                Assert.True(account.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict);
            using (var qualify = await client.PutAsJsonAsync("/api/v1/annotators/outage-annotator/qualification", new { qualified = true }))
                Assert.Equal(HttpStatusCode.OK, qualify.StatusCode);

            var basePath = $"/api/v1/campaigns/{campaignId}/annotators/outage-annotator";
            JsonNode? task = null;
            for (var i = 0; i < 100 && task is null; i++)
            {
                using var next = await client.PostAsync($"{basePath}/next", null);
                if (next.StatusCode == HttpStatusCode.OK) task = JsonNode.Parse(await next.Content.ReadAsStringAsync());
                else await Task.Delay(100);
            }
            Assert.NotNull(task);
            var instanceId = task!["instanceId"]!.GetValue<string>();
            var answer = new { submissionId = "outage-1", round = 1, clicks = Array.Empty<object>(), secondsSpent = 3.0 };

            await server.Stop();
            stopped = true;
            using (var refused = await client.PostAsJsonAsync($"{basePath}/tasks/{instanceId}/submit", answer))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.NotNull(refused.Headers.RetryAfter);
                var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
                Assert.Equal("storage_unavailable", problem["code"]!.GetValue<string>());
            }
            using (var health = await client.GetAsync("/health"))
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);

            await server.Start();
            stopped = false;
            HttpStatusCode status = 0;
            for (var attempt = 0; attempt < 20 && status != HttpStatusCode.OK; attempt++)
            {
                using var retried = await client.PostAsJsonAsync($"{basePath}/tasks/{instanceId}/submit", answer);
                status = retried.StatusCode;
                if (status != HttpStatusCode.OK)
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                    await Task.Delay(500);
                }
            }
            Assert.Equal(HttpStatusCode.OK, status);
            using (var again = await client.PostAsJsonAsync($"{basePath}/tasks/{instanceId}/submit", answer))
                Assert.Equal(HttpStatusCode.OK, again.StatusCode);

            var instance = await client.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{campaignId}/instances/{instanceId}");
            Assert.Single(instance!["answers"]!.AsArray());
            Assert.Equal("done", instance["status"]!.GetValue<string>());
            var progress = await client.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{campaignId}/progress");
            Assert.Equal(1, progress!["rounds"]![0]!["accepted"]!.GetValue<int>());
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\nGateway log:\n{gateway.Log[^Math.Min(gateway.Log.Length, 20000)..]}", e);
        }
        finally
        {
            if (stopped) await server.Start();
            // Connections pooled in this process before the outage are dead; the other tests of the collection start afresh.
            Npgsql.NpgsqlConnection.ClearAllPools();
            client?.Dispose();
            gateway.Dispose();
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dataFolder, recursive: true);
    }
}
