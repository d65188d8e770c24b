using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Simulation;
using Segmentation.Tests;

namespace Backend.Tests;

/// <summary>
/// Kills the gateway process (SIGKILL) in the middle of a campaign, starts it again on the same data folder, and
/// checks that no acknowledged submission was lost and that the campaign ends with the same masks as one that ran
/// without interruption.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    const int Instances = 6;
    const int Rounds = 2;
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    readonly string dataFolder = Directory.CreateTempSubdirectory("annotation-crash-").FullName;
    HttpClient client = new();
    readonly Dictionary<string, BinaryMask> truth = [];

    [Fact]
    public async Task A_killed_gateway_loses_no_acknowledged_submission_and_finishes_with_the_same_result()
    {
        var ports = (Http: GatewayProcess.FreePort(), Silo: GatewayProcess.FreePort(), Gateway: GatewayProcess.FreePort());
        var gateway = await GatewayProcess.Start(dataFolder, ports.Http, ports.Silo, ports.Gateway, StartTimeout);
        try
        {
            using (var anonymous = new HttpClient { BaseAddress = gateway.Address })
            {
                var adminToken = await TestGatewaySettings.Token(anonymous, "admin", TestGatewaySettings.AdminPassword);
                client.Dispose();
                client = new HttpClient(new TestAccountsHandler(adminToken)) { BaseAddress = gateway.Address, Timeout = TimeSpan.FromSeconds(60) };
            }
            await CreateCampaign("reference");
            await CreateCampaign("killed");

            var acknowledged = new List<(string InstanceId, string SubmissionId)>();
            await Annotate("reference", stopAfter: int.MaxValue, acknowledged: []);
            var before = await Annotate("killed", stopAfter: 3, acknowledged);
            Assert.False(before, "the campaign must still be running when the process is killed");
            Assert.Equal(3, acknowledged.Count);

            gateway.Kill();
            gateway.Dispose();
            gateway = await GatewayProcess.Start(dataFolder, ports.Http, ports.Silo, ports.Gateway, StartTimeout);

            // Every acknowledged answer is still there after the restart.
            foreach (var (instanceId, submissionId) in acknowledged)
            {
                var instance = await client.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/killed/instances/{instanceId}");
                var answers = instance!["answers"]!.AsArray();
                Assert.Contains(answers, a => a!["submissionId"]!.GetValue<string>() == submissionId);
            }

            Assert.True(await Annotate("killed", stopAfter: int.MaxValue, acknowledged));
            var expected = await ExportedMasks("reference");
            var actual = await ExportedMasks("killed");
            Assert.Equal(Instances, expected.Count);
            Assert.Equal(expected, actual);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\nGateway log:\n{gateway.Log}", e);
        }
        finally
        {
            gateway.Dispose();
        }
    }

    async Task CreateCampaign(string campaignId)
    {
        var images = Path.Combine(TestData.DavisDirectory, "img");
        using var created = await client.PostAsJsonAsync("/api/v1/campaigns", new
        {
            id = campaignId, imageRoot = images, rounds = Rounds, maxClicksPerRound = 3, model = "reference", shards = 2, leaseSeconds = 600,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var coco = new JsonObject
        {
            ["images"] = new JsonArray(),
            ["categories"] = new JsonArray(new JsonObject { ["id"] = 1, ["name"] = "object" }),
            ["annotations"] = new JsonArray(),
        };
        for (var i = 0; i < Instances; i++)
        {
            var gt = ImageCodec.ReadMask(TestData.DavisMask(i * 7));
            truth[$"{i + 1}"] = gt;
            var b = gt.BoundingBox()!.Value;
            coco["images"]!.AsArray().Add(new JsonObject { ["id"] = i + 1, ["file_name"] = $"{i * 7:D3}.jpg", ["width"] = gt.Width, ["height"] = gt.Height });
            coco["annotations"]!.AsArray().Add(new JsonObject
            {
                ["id"] = i + 1, ["image_id"] = i + 1, ["category_id"] = 1, ["bbox"] = new JsonArray(b.X, b.Y, b.Width, b.Height),
            });
        }
        using var import = await client.PostAsync($"/api/v1/campaigns/{campaignId}/imports?format=coco&onError=reject",
            new StringContent(coco.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        using var start = await client.PostAsync($"/api/v1/campaigns/{campaignId}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        using (var account = await client.PostAsJsonAsync("/api/v1/users", new { userName = "crash-annotator", password = Guid.NewGuid().ToString("N") }))
            Assert.True(account.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"account: {(int)account.StatusCode}");
        using var qualify = await client.PutAsJsonAsync("/api/v1/annotators/crash-annotator/qualification", new { qualified = true });
        Assert.Equal(HttpStatusCode.OK, qualify.StatusCode);
    }

    /// <summary>
    /// One deterministic annotator: clicks depend only on the instance, its round and its current mask. Returns true
    /// when the campaign is complete, false after <paramref name="stopAfter"/> acknowledged submissions.
    /// </summary>
    async Task<bool> Annotate(string campaignId, int stopAfter, List<(string InstanceId, string SubmissionId)> acknowledged)
    {
        var clicker = new ClickSimulator();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        var count = 0;
        while (DateTime.UtcNow < deadline)
        {
            using var next = await client.PostAsync($"/api/v1/campaigns/{campaignId}/annotators/crash-annotator/next", null);
            if (next.StatusCode == HttpStatusCode.NoContent)
            {
                var progress = await client.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{campaignId}/progress");
                if (progress!["complete"]!.GetValue<bool>()) return true;
                await Task.Delay(100);
                continue;
            }
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
            var task = JsonNode.Parse(await next.Content.ReadAsStringAsync())!;
            var instanceId = task["instanceId"]!.GetValue<string>();
            var round = task["round"]!.GetValue<int>();
            var size = task["mask"]!["size"]!.AsArray();
            var current = CocoRle.Decode(task["mask"]!["counts"]!.GetValue<string>(), size[0]!.GetValue<int>(), size[1]!.GetValue<int>());
            var rng = GaussianRandom.ForInstance(1, $"{instanceId}/{round}");
            var clicks = clicker.CorrectiveClicks(truth[instanceId], current, 3, rng, null)
                .Select(c => new { x = c.X, y = c.Y, label = c.IsForeground ? "foreground" : "background" }).ToArray();
            var submissionId = $"{instanceId}-round-{round}";
            using var submit = await client.PostAsJsonAsync($"/api/v1/campaigns/{campaignId}/annotators/crash-annotator/tasks/{instanceId}/submit",
                new { submissionId, round, clicks, secondsSpent = 1.0 });
            Assert.Equal(HttpStatusCode.OK, submit.StatusCode);
            acknowledged.Add((instanceId, submissionId));
            if (++count >= stopAfter) return false;
        }
        throw new TimeoutException($"Campaign {campaignId} did not finish in time.");
    }

    async Task<Dictionary<string, string>> ExportedMasks(string campaignId)
    {
        var coco = JsonNode.Parse(await client.GetStringAsync($"/api/v1/campaigns/{campaignId}/export?format=coco"))!;
        return coco["annotations"]!.AsArray().ToDictionary(
            a => a!["instance_id"]!.GetValue<string>(),
            a => a!["segmentation"]!["counts"]!.GetValue<string>());
    }

    public void Dispose()
    {
        client.Dispose();
        Directory.Delete(dataFolder, recursive: true);
    }
}
