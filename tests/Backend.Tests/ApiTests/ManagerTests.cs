using System.Net;
using System.Net.Http.Json;

namespace Backend.Tests.ApiTests;

/// <summary>What a manager sees and controls: annotator statistics, qualification, pause and resume.</summary>
[Collection(ApiCollection.Name)]
public sealed class ManagerTests(GatewayFixture fixture)
{
    readonly Api api = new(fixture.Client);

    [Fact]
    public async Task Annotator_statistics_reflect_the_answers_given_in_the_campaign()
    {
        var campaignId = await api.RunningCampaign("statistics", [0, 1, 2]);
        var annotatorId = await api.QualifiedAnnotator();
        Assert.Null(await api.Statistics(campaignId, annotatorId));

        // Two clicks on the first task, an accept on the second, a skip on the third.
        var first = await api.Next(campaignId, annotatorId);
        var box = first["box"]!;
        double cx = (box["x0"]!.GetValue<double>() + box["x1"]!.GetValue<double>()) / 2, cy = (box["y0"]!.GetValue<double>() + box["y1"]!.GetValue<double>()) / 2;
        using (var submit = await api.Submit(campaignId, annotatorId, first["instanceId"]!.GetValue<string>(), 1,
                   [Api.Click(cx, cy), Api.Click(cx + 1, cy, "background")], secondsSpent: 10))
            Assert.Equal("corrected", (await Api.Ok(submit))["outcome"]!.GetValue<string>());
        var second = await api.Next(campaignId, annotatorId);
        var acceptId = Guid.NewGuid().ToString("N");
        using (var submit = await api.Submit(campaignId, annotatorId, second["instanceId"]!.GetValue<string>(), 1, [], acceptId, secondsSpent: 4))
            Assert.Equal("accepted", (await Api.Ok(submit))["outcome"]!.GetValue<string>());
        var third = await api.Next(campaignId, annotatorId);
        using (var skip = await api.Post(Api.TaskUrl(campaignId, annotatorId, third["instanceId"]!.GetValue<string>(), "skip"),
                   new { submissionId = Guid.NewGuid().ToString("N"), round = 1, secondsSpent = 1.0 }))
            Assert.Equal("skipped", (await Api.Ok(skip))["outcome"]!.GetValue<string>());

        // Sent again, the accept is answered as before and counted once.
        using (var again = await api.Submit(campaignId, annotatorId, second["instanceId"]!.GetValue<string>(), 1, [], acceptId, secondsSpent: 4))
            Assert.Equal("accepted", (await Api.Ok(again))["outcome"]!.GetValue<string>());

        // The campaign's figures, from its answer counters (2 rounds of up to 3 clicks).
        var figures = await api.Get($"/api/v1/campaigns/{campaignId}/statistics");
        Assert.Equal(3, figures["answers"]!.GetValue<int>());
        var round1 = Assert.Single(figures["answersByRound"]!.AsArray())!;
        Assert.Equal(1, round1["round"]!.GetValue<int>());
        Assert.Equal(1, round1["skipped"]!.GetValue<int>());
        Assert.Equal([1, 0, 1, 0], round1["byClicks"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Equal(["skip:1:1", "0:1:4", "2:1:10"], figures["secondsByAnswer"]!.AsArray().Select(x =>
            $"{x!["answer"]}:{x["count"]}:{x["medianSeconds"]!.GetValue<double>()}"));
        Assert.Equal(5.0, figures["secondsPerInstance"]!.GetValue<double>(), 9);
        Assert.Equal(2 / 3.0, figures["clicksPerInstance"]!.GetValue<double>(), 9);
        var last = figures["timeline"]!.AsArray()[^1]!;
        // The accept and the skip finish their instances; the correction leaves its instance a second round.
        Assert.Equal((3, 2), (last["answers"]!.GetValue<int>(), last["instancesDone"]!.GetValue<int>()));

        var list = await api.Get($"/api/v1/campaigns/{campaignId}/annotators");
        var entry = Assert.Single(list["annotators"]!.AsArray())!;
        Assert.Equal(annotatorId, entry["id"]!.GetValue<string>());
        Assert.True(entry["qualified"]!.GetValue<bool>());
        var statistics = entry["statistics"]!;
        Assert.Equal(2, statistics["instances"]!.GetValue<int>());
        Assert.Equal(2, statistics["answers"]!.GetValue<int>());
        Assert.Equal(2, statistics["clicks"]!.GetValue<int>());
        Assert.Equal(1.0, statistics["clicksPerInstance"]!.GetValue<double>());
        Assert.Equal(7.0, statistics["secondsPerInstance"]!.GetValue<double>());
        Assert.Equal(1, statistics["skips"]!.GetValue<int>());

        // Statistics are per campaign: the same annotator in another campaign starts from zero there.
        var otherCampaign = await api.RunningCampaign("statistics-other", [3]);
        var task = await api.Next(otherCampaign, annotatorId);
        using (var submit = await api.Submit(otherCampaign, annotatorId, task["instanceId"]!.GetValue<string>(), 1, [], secondsSpent: 2))
            await Api.Ok(submit);
        var elsewhere = (await api.Statistics(otherCampaign, annotatorId))!;
        Assert.Equal(1, elsewhere["answers"]!.GetValue<int>());
        Assert.Equal(0, elsewhere["clicks"]!.GetValue<int>());
        Assert.Equal(2, (await api.Statistics(campaignId, annotatorId))!["answers"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unqualified_annotator_asking_for_work_is_403_not_qualified_and_gets_nothing()
    {
        var campaignId = await api.RunningCampaign("unqualified", [0]);
        var stranger = Api.NewId("stranger");
        var progress = (await api.Progress(campaignId)).ToJsonString();

        using (var next = await api.NextResponse(campaignId, stranger))
            await Api.Problem(next, HttpStatusCode.Forbidden, "not_qualified", "annotatorId");

        // A qualification taken back works the same way.
        var revoked = await api.QualifiedAnnotator("revoked");
        using (var revoke = await api.Client.PutAsJsonAsync($"/api/v1/annotators/{revoked}/qualification", new { qualified = false }))
            Assert.False((await Api.Ok(revoke))["qualified"]!.GetValue<bool>());
        using (var next = await api.NextResponse(campaignId, revoked))
            await Api.Problem(next, HttpStatusCode.Forbidden, "not_qualified", "annotatorId");
        using (var noBody = await api.Client.PutAsJsonAsync($"/api/v1/annotators/{revoked}/qualification", new { }))
            await Api.Problem(noBody, HttpStatusCode.BadRequest, "invalid", "qualified");

        Assert.Equal(progress, (await api.Progress(campaignId)).ToJsonString());
        Assert.Equal("queued", (await api.Instance(campaignId, "1"))["status"]!.GetValue<string>());
        Assert.Empty((await api.Get($"/api/v1/campaigns/{campaignId}/annotators"))["annotators"]!.AsArray());
    }

    [Fact]
    public async Task A_paused_campaign_gives_no_work_409_campaign_not_running_until_it_is_resumed()
    {
        var campaignId = await api.RunningCampaign("pause", [0, 1]);
        var annotatorId = await api.QualifiedAnnotator();
        var newcomer = await api.QualifiedAnnotator("newcomer");
        // The annotator has been working in the campaign just before the pause.
        var task = await api.Next(campaignId, annotatorId);
        using (var submit = await api.Submit(campaignId, annotatorId, task["instanceId"]!.GetValue<string>(), 1, []))
            await Api.Ok(submit);

        using (var pause = await api.Client.PostAsync($"/api/v1/campaigns/{campaignId}/pause", null))
            Assert.Equal("paused", (await Api.Ok(pause))["status"]!.GetValue<string>());
        var progress = (await api.Progress(campaignId)).ToJsonString();

        foreach (var who in new[] { annotatorId, newcomer })
        {
            using var next = await api.NextResponse(campaignId, who);
            await Api.Problem(next, HttpStatusCode.Conflict, "campaign_not_running", "campaignId");
        }
        Assert.Equal(progress, (await api.Progress(campaignId)).ToJsonString());
        var other = task["instanceId"]!.GetValue<string>() == "1" ? "2" : "1";
        Assert.Equal("queued", (await api.Instance(campaignId, other))["status"]!.GetValue<string>());

        // Pausing twice is fine; starting again is not a valid move from Paused.
        using (var again = await api.Client.PostAsync($"/api/v1/campaigns/{campaignId}/pause", null))
            Assert.Equal("paused", (await Api.Ok(again))["status"]!.GetValue<string>());
        using (var start = await api.Client.PostAsync($"/api/v1/campaigns/{campaignId}/start", null))
            await Api.Problem(start, HttpStatusCode.Conflict, "invalid_transition", "status");

        using (var resume = await api.Client.PostAsync($"/api/v1/campaigns/{campaignId}/resume", null))
            Assert.Equal("running", (await Api.Ok(resume))["status"]!.GetValue<string>());
        Assert.Equal(other, (await api.Next(campaignId, annotatorId))["instanceId"]!.GetValue<string>());
    }
}
