using System.Net;
using System.Text.Json.Nodes;
using Backend.Tests.ApiTests;

namespace Backend.Tests.Cluster;

/// <summary>
/// A campaign through a client-only gateway of a two-silo cluster on PostgreSQL, one silo killed (SIGKILL) in the middle:
/// the annotator's calls fail for a while and are sent again, and the campaign finishes with every answer recorded once.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class ClusterCampaignTests
{
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_campaign_through_a_client_only_gateway_finishes_after_a_silo_is_killed()
    {
        await using var cluster = await LocalCluster.Start(silos: 2, gateways: 1, TimeSpan.FromMinutes(3));
        using var anonymous = new HttpClient { BaseAddress = cluster.Gateway };
        var adminToken = await TestGatewaySettings.Token(anonymous, "admin", TestGatewaySettings.AdminPassword);
        using var client = new HttpClient(new TestAccountsHandler(adminToken)) { BaseAddress = cluster.Gateway, Timeout = TimeSpan.FromSeconds(30) };
        var api = new Api(client);
        int[] images = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        var campaignId = await api.RunningCampaign("cluster", images, rounds: 1);
        var annotatorId = await api.QualifiedAnnotator();

        var answered = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var next = await UntilAnswered(() => api.NextResponse(campaignId, annotatorId));
            if (next.StatusCode == HttpStatusCode.NoContent) break;
            var task = await Api.Ok(next);
            var instanceId = task["instanceId"]!.GetValue<string>();
            var submissionId = Guid.NewGuid().ToString("N");
            // The same submission id each time: a retry of an answer the cluster took before the failure is applied once.
            var submitted = await UntilAnswered(() => api.Submit(campaignId, annotatorId, instanceId, 1, [], submissionId));
            Assert.Equal("done", (await Api.Ok(submitted))["status"]!.GetValue<string>());
            answered.Add(instanceId);
            if (answered.Count == images.Length / 2) cluster.KillSilo(2);
            Assert.True(answered.Count <= images.Length, $"more tasks than instances:\n{cluster.Log}");
        }

        Assert.Equal(images.Length, answered.Count);
        // The kill was real and the cluster saw it: one silo left, one declared dead.
        Assert.Equal(["Active", "Dead"], (await cluster.Silos()).Select(s => s.Status).Order());
        var progress = await api.Progress(campaignId);
        Assert.Equal(images.Length, progress["done"]!.GetValue<int>());
        var statistics = await api.Statistics(campaignId, annotatorId);
        Assert.Equal(images.Length, statistics!["answers"]!.GetValue<int>());
        using var export = await client.GetAsync($"/api/v1/campaigns/{campaignId}/export?format=coco");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var coco = JsonNode.Parse(await export.Content.ReadAsStringAsync())!;
        Assert.Equal(images.Length, coco["annotations"]!.AsArray().Count(a => a!["status"]!.GetValue<string>() == "done"));
    }

    [Fact]
    public async Task Annotators_of_one_gateway_are_not_disturbed_when_another_gateway_is_killed()
    {
        await using var cluster = await LocalCluster.Start(silos: 1, gateways: 2, TimeSpan.FromMinutes(3));
        using var anonymous = new HttpClient { BaseAddress = cluster.GatewayAddress(2) };
        var adminToken = await TestGatewaySettings.Token(anonymous, "admin", TestGatewaySettings.AdminPassword);
        using var first = new HttpClient(new TestAccountsHandler(adminToken)) { BaseAddress = cluster.GatewayAddress(1), Timeout = TimeSpan.FromSeconds(30) };
        using var second = new HttpClient(new TestAccountsHandler(adminToken)) { BaseAddress = cluster.GatewayAddress(2), Timeout = TimeSpan.FromSeconds(30) };
        int[] images = [0, 1, 2, 3, 4, 5];
        // The manager works through the first gateway, the annotator through the second.
        var campaignId = await new Api(first).RunningCampaign("cluster-gw", images, rounds: 1);
        var api = new Api(second);
        var annotatorId = await api.QualifiedAnnotator();

        var answered = 0;
        while (true)
        {
            // No retries here: every call of the second gateway's annotator must succeed at once.
            using var next = await api.NextResponse(campaignId, annotatorId);
            if (next.StatusCode == HttpStatusCode.NoContent) break;
            var instanceId = (await Api.Ok(next))["instanceId"]!.GetValue<string>();
            using var submitted = await api.Submit(campaignId, annotatorId, instanceId, 1, []);
            Assert.Equal("done", (await Api.Ok(submitted))["status"]!.GetValue<string>());
            if (++answered == images.Length / 2) cluster.KillGateway(1);
        }

        Assert.Equal(images.Length, answered);
        Assert.Equal(images.Length, (await api.Progress(campaignId))["done"]!.GetValue<int>());
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => first.GetAsync("/health"));
    }

    [Fact]
    public async Task Model_work_stays_on_the_silos_that_run_models()
    {
        // The first silo, which the gateway's calls reach first and which would otherwise host the images, runs no models.
        await using var cluster = await LocalCluster.Start(silos: 2, gateways: 1, TimeSpan.FromMinutes(3), modelSilos: [2]);
        using var anonymous = new HttpClient { BaseAddress = cluster.Gateway };
        var adminToken = await TestGatewaySettings.Token(anonymous, "admin", TestGatewaySettings.AdminPassword);
        using var client = new HttpClient(new TestAccountsHandler(adminToken)) { BaseAddress = cluster.Gateway, Timeout = TimeSpan.FromSeconds(60) };
        var api = new Api(client);
        int[] images = [0, 1, 2, 3, 4, 5, 6, 7];
        // Eight images, so that random placement would put some on the second silo: their first masks need the model.
        var campaignId = await api.RunningCampaign("placement", images, rounds: 2);
        var annotatorId = await api.QualifiedAnnotator();
        for (var i = 0; i < images.Length; i++)
        {
            var task = await Api.Ok(await api.NextResponse(campaignId, annotatorId));
            var instanceId = task["instanceId"]!.GetValue<string>();
            var box = task["box"]!;
            var centre = new { x = (box["x0"]!.GetValue<double>() + box["x1"]!.GetValue<double>()) / 2, y = (box["y0"]!.GetValue<double>() + box["y1"]!.GetValue<double>()) / 2, label = "foreground" };
            using var submitted = await api.Submit(campaignId, annotatorId, instanceId, 1, [centre]);
            await Api.Ok(submitted);
        }
        // The masks after the clicks came from the model too.
        await api.WaitUntilWaiting(campaignId, round: 2, images.Length);

        // Every model call ran on the second silo, and nothing was refused on the first (a refusal would also have
        // stalled the campaign above: its instance would never reach the next round).
        Assert.Contains("Model reference loaded", cluster.SiloLog(2));
        Assert.DoesNotContain("runs no models", cluster.Log);
        Assert.Equal(["Active", "Active"], (await cluster.Silos()).Select(s => s.Status));
    }

    /// <summary>Sends the request again (after a second) while the cluster answers 5xx or not at all, up to <see cref="Outage"/>.</summary>
    static async Task<HttpResponseMessage> UntilAnswered(Func<Task<HttpResponseMessage>> send)
    {
        var deadline = DateTime.UtcNow + Outage;
        while (true)
        {
            try
            {
                var response = await send();
                if ((int)response.StatusCode < 500) return response;
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"Still {(int)response.StatusCode} after {Outage}: {await response.Content.ReadAsStringAsync()}");
                response.Dispose();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow <= deadline)
            {
                // The gateway's call to a silo that died is cut off or times out: sent again below.
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}
