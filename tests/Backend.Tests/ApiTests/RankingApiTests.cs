using System.Net;

namespace Backend.Tests.ApiTests;

/// <summary>The manager's ranking queries and extra-click budgets over HTTP, and their refusals.</summary>
[Collection(ApiCollection.Name)]
public sealed class RankingApiTests(GatewayFixture fixture)
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    readonly Api api = new(fixture.Client);

    async Task WaitForStatus(string campaignId, string instanceId, string status)
    {
        var deadline = DateTime.UtcNow + Patience;
        while ((await api.Instance(campaignId, instanceId))["status"]!.GetValue<string>() != status)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Instance {instanceId} never became {status}.");
            await Task.Delay(50);
        }
    }

    /// <summary>The next task; extra rounds are granted just after the previous one ends, so a 204 is asked again.</summary>
    async Task<System.Text.Json.Nodes.JsonObject> NextTask(string campaignId, string annotatorId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var next = await api.NextResponse(campaignId, annotatorId);
            if (next.StatusCode != HttpStatusCode.NoContent) return await Api.Ok(next);
            if (DateTime.UtcNow > deadline) throw new TimeoutException("No task was handed out.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Ranking_queries_answer_before_any_model_and_refuse_bad_parameters()
    {
        var campaignId = await api.RunningCampaign("rank-empty", [0], rounds: 1);
        var page = await api.Get($"/api/v1/campaigns/{campaignId}/ranking");
        Assert.Equal(0, page["modelVersion"]!.GetValue<int>());
        Assert.Equal(0, page["total"]!.GetValue<int>());
        Assert.Equal("worst", page["order"]!.GetValue<string>());
        var model = await api.Get($"/api/v1/campaigns/{campaignId}/ranking/model");
        Assert.Equal(0, model["modelVersion"]!.GetValue<int>());
        Assert.Empty(model["featureImportances"]!.AsArray());
        var curve = await api.Get($"/api/v1/campaigns/{campaignId}/ranking/curve");
        Assert.Equal(0, curve["heldOut"]!["instances"]!.GetValue<int>());

        using (var r = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}/ranking?order=up"))
            await Api.Problem(r, HttpStatusCode.BadRequest, "invalid", "order");
        using (var r = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}/ranking?limit=0"))
            await Api.Problem(r, HttpStatusCode.BadRequest, "invalid", "limit");
        using (var r = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}/ranking?offset=-1"))
            await Api.Problem(r, HttpStatusCode.BadRequest, "invalid", "offset");
        using (var r = await api.Client.GetAsync($"/api/v1/campaigns/{Api.NewId("missing")}/ranking"))
            await Api.Problem(r, HttpStatusCode.NotFound, "not_initialized", "campaignId");
        using (var r = await api.Post("/api/v1/campaigns", new { id = Api.NewId("bad-threshold"), imageRoot = Api.ImageRoot, reprioritizeBelowIoU = 1.5 }))
            await Api.Problem(r, HttpStatusCode.BadRequest, "invalid", "reprioritizeBelowIoU");
    }

    [Fact]
    public async Task An_extra_click_budget_is_refused_when_malformed_and_spent_in_queue_order_otherwise()
    {
        var campaignId = await api.RunningCampaign("budget", [0, 1], rounds: 1, maxClicksPerRound: 3);
        var annotatorId = await api.QualifiedAnnotator();
        // Round 1: both instances corrected with a click, so both finish with the model's round-1 mask.
        var finishOrder = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var task = await api.Next(campaignId, annotatorId);
            var instanceId = task["instanceId"]!.GetValue<string>();
            var box = task["box"]!;
            using var submit = await api.Submit(campaignId, annotatorId, instanceId, 1,
                [Api.Click((box["x0"]!.GetValue<double>() + box["x1"]!.GetValue<double>()) / 2, (box["y0"]!.GetValue<double>() + box["y1"]!.GetValue<double>()) / 2)]);
            await Api.Ok(submit);
            await WaitForStatus(campaignId, instanceId, "done");
            finishOrder.Add(instanceId);
        }

        var url = $"/api/v1/campaigns/{campaignId}/extra-rounds";
        using (var r = await api.Post(url, new { strategy = "queue" }))
            await Api.Problem(r, HttpStatusCode.BadRequest, "invalid", "clicks");
        using (var r = await api.Post(url, new { clicks = 6, strategy = "sideways" }))
            await Api.Problem(r, HttpStatusCode.BadRequest, "invalid", "strategy");
        using (var r = await api.Post(url, new { clicks = 6, strategy = "ranked" }))
            await Api.Problem(r, HttpStatusCode.Conflict, "invalid_transition", "strategy");
        using (var r = await api.Post(url, new { clicks = 6, strategy = "queue", maxRoundsPerInstance = 9 }))
            await Api.Problem(r, HttpStatusCode.BadRequest, "invalid", "maxRoundsPerInstance");
        Assert.Null((await api.Get(url))["clicks"]);

        // Three clicks pay for one round of up to three clicks at a time.
        using (var r = await api.Post(url, new { clicks = 3, strategy = "queue" }))
        {
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.Accepted, $"{(int)r.StatusCode} {text}");
            var started = System.Text.Json.Nodes.JsonNode.Parse(text)!;
            Assert.True(started["active"]!.GetValue<bool>());
            Assert.Equal(1, started["outstanding"]!.GetValue<int>());
        }
        Assert.False((await api.Progress(campaignId))["complete"]!.GetValue<bool>());

        // The annotator sees ordinary tasks, in round 2, first-finished first; accepting them costs no clicks.
        foreach (var expected in finishOrder)
        {
            var task = await NextTask(campaignId, annotatorId);
            Assert.Equal(expected, task["instanceId"]!.GetValue<string>());
            Assert.Equal(2, task["round"]!.GetValue<int>());
            Assert.Equal(3, task["maxClicks"]!.GetValue<int>());
            using var submit = await api.Submit(campaignId, annotatorId, expected, 2, []);
            Assert.Equal("accepted", (await Api.Ok(submit))["outcome"]!.GetValue<string>());
        }
        var summary = await api.Get(url);
        for (var deadline = DateTime.UtcNow + Patience; summary["active"]!.GetValue<bool>() && DateTime.UtcNow < deadline; summary = await api.Get(url))
            await Task.Delay(20);
        Assert.False(summary["active"]!.GetValue<bool>());
        Assert.Equal(0, summary["clicksSpent"]!.GetValue<int>());
        Assert.Equal(2, summary["roundsFinished"]!.GetValue<int>());
        Assert.Equal("queue", summary["strategy"]!.GetValue<string>());
        var progress = await api.Progress(campaignId);
        Assert.True(progress["complete"]!.GetValue<bool>());
        Assert.Equal(2, progress["extraRounds"]!["roundsGranted"]!.GetValue<int>());
    }
}
