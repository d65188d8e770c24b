using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Segmentation.Tests;

namespace Backend.Tests;

/// <summary>
/// Kills the gateway (SIGKILL) in the middle of a large import, starts it again on the same data folder and imports the
/// same file again: the import completes with the right counts and every instance reaches its round-1 queue.
/// </summary>
public sealed class ImportCrashTests : IDisposable
{
    const int Rows = 60_000;
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    readonly string dataFolder = Directory.CreateTempSubdirectory("annotation-import-crash-").FullName;

    static string Csv()
    {
        var csv = new StringBuilder("ImageID,LabelName,XMin,XMax,YMin,YMax,BoxID\n");
        var random = new Random(7);
        for (var i = 0; i < Rows; i++)
        {
            var x = random.NextDouble() * 0.5;
            var y = random.NextDouble() * 0.5;
            csv.Append($"{i % 8:D3},object,{x:F4},{x + 0.3:F4},{y:F4},{y + 0.3:F4},b{i:D6}\n");
        }
        return csv.ToString();
    }

    [Fact]
    public async Task An_import_killed_midway_completes_with_the_right_counts_when_the_file_is_sent_again()
    {
        var ports = (Http: GatewayProcess.FreePort(), Silo: GatewayProcess.FreePort(), Gateway: GatewayProcess.FreePort());
        string[] large = ["--Import:MaxBytes", "100000000"];
        var gateway = await GatewayProcess.Start(dataFolder, ports.Http, ports.Silo, ports.Gateway, StartTimeout, large);
        HttpClient? client = null;
        try
        {
            using (var anonymous = new HttpClient { BaseAddress = gateway.Address })
            {
                var token = await TestGatewaySettings.Token(anonymous, "admin", TestGatewaySettings.AdminPassword);
                client = new HttpClient(new TestAccountsHandler(token)) { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(5) };
            }
            using (var created = await client.PostAsJsonAsync("/api/v1/campaigns", new
            {
                id = "big", imageRoot = Path.Combine(TestData.DavisDirectory, "img"), rounds = 1, maxClicksPerRound = 3, model = "box", shards = 4,
            }))
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var csv = Csv();

            // The first import is cut off by the kill once some batches are stored.
            var first = client.PostAsync("/api/v1/campaigns/big/imports?format=openimages&onError=skip", new StringContent(csv, Encoding.UTF8, "text/csv"));
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            var importedBeforeKill = 0;
            while (importedBeforeKill == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
                importedBeforeKill = (await client.GetFromJsonAsync<JsonObject>("/api/v1/campaigns/big/progress"))!["importedInstances"]!.GetValue<int>();
            }
            Assert.InRange(importedBeforeKill, 1, Rows - 1);
            gateway.Kill();
            await Assert.ThrowsAnyAsync<Exception>(() => first);
            gateway.Dispose();

            gateway = await GatewayProcess.Start(dataFolder, ports.Http, ports.Silo, ports.Gateway, StartTimeout, large);
            var stored = (await client.GetFromJsonAsync<JsonObject>("/api/v1/campaigns/big/progress"))!["importedInstances"]!.GetValue<int>();
            Assert.InRange(stored, importedBeforeKill, Rows - 1);

            using var again = await client.PostAsync("/api/v1/campaigns/big/imports?format=openimages&onError=skip", new StringContent(csv, Encoding.UTF8, "text/csv"));
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            var report = (await again.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(Rows, report["rowsRead"]!.GetValue<int>());
            Assert.Equal(stored, report["alreadyPresent"]!.GetValue<int>());
            Assert.Equal(Rows - stored, report["imported"]!.GetValue<int>());
            Assert.Empty(report["rejected"]!.AsArray());

            // Nothing is stranded: every instance gets its round-0 mask and waits in round 1.
            JsonObject progress;
            do
            {
                await Task.Delay(200);
                progress = (await client.GetFromJsonAsync<JsonObject>("/api/v1/campaigns/big/progress"))!;
            }
            while (progress["rounds"]![0]!["waiting"]!.GetValue<int>() < Rows && DateTime.UtcNow < deadline + TimeSpan.FromMinutes(3));
            Assert.Equal(Rows, progress["importedInstances"]!.GetValue<int>());
            Assert.Equal(Rows, progress["rounds"]![0]!["waiting"]!.GetValue<int>());
            Assert.Equal(0, progress["model"]!["failed"]!.GetValue<int>());
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\nGateway log:\n{gateway.Log[^Math.Min(gateway.Log.Length, 20000)..]}", e);
        }
        finally
        {
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
