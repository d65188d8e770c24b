using System.Net;
using System.Text.Json.Nodes;
using Segmentation.Masks;

namespace Backend.Tests.ApiTests;

/// <summary>The rules an answer must follow (clicks, lease, round), repeated submissions, skips and previews.</summary>
[Collection(ApiCollection.Name)]
public sealed class SubmissionRuleTests(GatewayFixture fixture)
{
    readonly Api api = new(fixture.Client);

    sealed record Leased(string CampaignId, string AnnotatorId, string InstanceId, JsonObject Task);

    async Task<Leased> LeasedTask(string prefix, int maxClicksPerRound = 3, double leaseSeconds = 600, int[]? images = null)
    {
        var campaignId = await api.RunningCampaign(prefix, images ?? [0], maxClicksPerRound: maxClicksPerRound, leaseSeconds: leaseSeconds);
        var annotatorId = await api.QualifiedAnnotator();
        var task = await api.Next(campaignId, annotatorId);
        return new Leased(campaignId, annotatorId, task["instanceId"]!.GetValue<string>(), task);
    }

    static object[] ClicksInside(JsonObject task, int count)
    {
        var box = task["box"]!;
        double x0 = box["x0"]!.GetValue<double>(), y0 = box["y0"]!.GetValue<double>(), x1 = box["x1"]!.GetValue<double>(), y1 = box["y1"]!.GetValue<double>();
        return Enumerable.Range(0, count)
            .Select(i => Api.Click(x0 + (x1 - x0) * (i + 1) / (count + 1), y0 + (y1 - y0) / 2, i % 2 == 0 ? "foreground" : "background"))
            .ToArray();
    }

    async Task AssertNothingRecorded(Leased t, string before)
    {
        Assert.Equal(before, await api.InstanceState(t.CampaignId, t.InstanceId));
        var statistics = await api.Statistics(t.CampaignId, t.AnnotatorId);
        Assert.Equal(0, statistics!["answers"]!.GetValue<int>());
        Assert.Equal(0, statistics["clicks"]!.GetValue<int>());
    }

    [Fact]
    public async Task More_clicks_than_allowed_is_422_too_many_clicks_and_nothing_is_recorded()
    {
        var t = await LeasedTask("too-many", maxClicksPerRound: 2);
        Assert.Equal(2, t.Task["maxClicks"]!.GetValue<int>());
        var before = await api.InstanceState(t.CampaignId, t.InstanceId);

        using (var submit = await api.Submit(t.CampaignId, t.AnnotatorId, t.InstanceId, 1, ClicksInside(t.Task, 3)))
            await Api.Problem(submit, HttpStatusCode.UnprocessableEntity, "too_many_clicks", "clicks");

        await AssertNothingRecorded(t, before);
        // The lease is still held: the same task with the allowed number of clicks goes through.
        using var allowed = await api.Submit(t.CampaignId, t.AnnotatorId, t.InstanceId, 1, ClicksInside(t.Task, 2));
        var result = await Api.Ok(allowed);
        Assert.Equal("corrected", result["outcome"]!.GetValue<string>());
        Assert.Equal(2, result["clickCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_click_outside_the_image_is_422_click_outside_image_naming_the_click()
    {
        var t = await LeasedTask("outside");
        int width = t.Task["imageWidth"]!.GetValue<int>(), height = t.Task["imageHeight"]!.GetValue<int>();
        var inside = ClicksInside(t.Task, 1)[0];
        var before = await api.InstanceState(t.CampaignId, t.InstanceId);

        foreach (var outside in new[] { Api.Click(width, 5), Api.Click(5, height + 0.5), Api.Click(-0.5, 5, "background"), Api.Click(5, -1) })
        {
            using var submit = await api.Submit(t.CampaignId, t.AnnotatorId, t.InstanceId, 1, [inside, outside]);
            await Api.Problem(submit, HttpStatusCode.UnprocessableEntity, "click_outside_image", "clicks[1]");
        }

        await AssertNothingRecorded(t, before);
        // The last pixel is inside.
        using var edge = await api.Submit(t.CampaignId, t.AnnotatorId, t.InstanceId, 1, [Api.Click(width - 0.5, height - 0.5, "background")]);
        Assert.Equal(1, (await Api.Ok(edge))["clickCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Submitting_for_an_instance_leased_to_someone_else_is_409_lease_not_held()
    {
        var t = await LeasedTask("other-lease");
        var intruder = await api.QualifiedAnnotator("intruder");
        var before = await api.InstanceState(t.CampaignId, t.InstanceId);
        Assert.Contains(t.AnnotatorId, before);

        using (var submit = await api.Submit(t.CampaignId, intruder, t.InstanceId, 1, []))
            await Api.Problem(submit, HttpStatusCode.Conflict, "lease_not_held", "annotatorId");
        using (var skip = await api.Post(Api.TaskUrl(t.CampaignId, intruder, t.InstanceId, "skip"),
                   new { submissionId = Guid.NewGuid().ToString("N"), round = 1, secondsSpent = 1.0 }))
            await Api.Problem(skip, HttpStatusCode.Conflict, "lease_not_held", "annotatorId");
        using (var preview = await api.Post(Api.TaskUrl(t.CampaignId, intruder, t.InstanceId, "preview"),
                   new { round = 1, clicks = ClicksInside(t.Task, 1) }))
            await Api.Problem(preview, HttpStatusCode.Conflict, "lease_not_held", "annotatorId");

        await AssertNothingRecorded(t, before);
        Assert.Null(await api.Statistics(t.CampaignId, intruder));
        // The rightful holder still answers.
        using var own = await api.Submit(t.CampaignId, t.AnnotatorId, t.InstanceId, 1, []);
        Assert.Equal("done", (await Api.Ok(own))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_expired_lease_is_409_and_the_instance_can_be_leased_again()
    {
        var t = await LeasedTask("expired", leaseSeconds: 1);
        var expiresAt = t.Task["leaseExpiresAt"]!.GetValue<DateTimeOffset>();
        Assert.True(expiresAt - DateTimeOffset.UtcNow <= TimeSpan.FromSeconds(1), $"lease until {expiresAt:O}");
        var wait = expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var before = await api.InstanceState(t.CampaignId, t.InstanceId);
        Assert.Contains("\"status\":\"queued\"", before);

        using (var submit = await api.Submit(t.CampaignId, t.AnnotatorId, t.InstanceId, 1, ClicksInside(t.Task, 1)))
            await Api.Problem(submit, HttpStatusCode.Conflict, "lease_not_held", "annotatorId");

        await AssertNothingRecorded(t, before);
        var other = await api.QualifiedAnnotator("second");
        var again = await api.Next(t.CampaignId, other);
        Assert.Equal(t.InstanceId, again["instanceId"]!.GetValue<string>());
        Assert.Equal(1, again["round"]!.GetValue<int>());
        var progress = await api.Progress(t.CampaignId);
        Assert.Equal(1, progress["rounds"]![0]!["expiredLeases"]!.GetValue<long>());
        Assert.Equal(1, progress["rounds"]![0]!["leased"]!.GetValue<int>());
        using var submitAgain = await api.Submit(t.CampaignId, other, t.InstanceId, 1, []);
        Assert.Equal("accepted", (await Api.Ok(submitAgain))["outcome"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_answer_for_another_round_is_409_wrong_round()
    {
        var t = await LeasedTask("wrong-round");
        var before = await api.InstanceState(t.CampaignId, t.InstanceId);

        foreach (var round in new[] { 2, 0, 7 })
        {
            using var submit = await api.Submit(t.CampaignId, t.AnnotatorId, t.InstanceId, round, []);
            await Api.Problem(submit, HttpStatusCode.Conflict, "wrong_round", "round");
        }
        using (var preview = await api.Post(Api.TaskUrl(t.CampaignId, t.AnnotatorId, t.InstanceId, "preview"),
                   new { round = 2, clicks = ClicksInside(t.Task, 1) }))
            await Api.Problem(preview, HttpStatusCode.Conflict, "wrong_round", "round");

        await AssertNothingRecorded(t, before);
    }

    [Fact]
    public async Task A_repeated_submission_id_returns_the_first_answer_and_changes_nothing()
    {
        var t = await LeasedTask("repeat", images: [0, 1]);
        const string submissionId = "repeat-1";

        using var first = await api.Submit(t.CampaignId, t.AnnotatorId, t.InstanceId, 1, [], submissionId, secondsSpent: 4);
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var after = await api.InstanceState(t.CampaignId, t.InstanceId);
        var progress = await api.Progress(t.CampaignId);

        // The same id again, even with different content (clicks, another round), is the first answer.
        using (var same = await api.Submit(t.CampaignId, t.AnnotatorId, t.InstanceId, 1, [], submissionId, secondsSpent: 4))
        {
            Assert.Equal(HttpStatusCode.OK, same.StatusCode);
            Assert.Equal(firstBody, await same.Content.ReadAsStringAsync());
        }
        using (var different = await api.Submit(t.CampaignId, t.AnnotatorId, t.InstanceId, 2, ClicksInside(t.Task, 2), submissionId, secondsSpent: 9))
        {
            Assert.Equal(HttpStatusCode.OK, different.StatusCode);
            Assert.Equal(firstBody, await different.Content.ReadAsStringAsync());
        }

        var result = JsonNode.Parse(firstBody)!;
        Assert.Equal(submissionId, result["submissionId"]!.GetValue<string>());
        Assert.Equal("accepted", result["outcome"]!.GetValue<string>());
        Assert.Equal(after, await api.InstanceState(t.CampaignId, t.InstanceId));
        var answers = (await api.Instance(t.CampaignId, t.InstanceId))["answers"]!.AsArray();
        Assert.Equal(submissionId, Assert.Single(answers)!["submissionId"]!.GetValue<string>());
        var statistics = (await api.Statistics(t.CampaignId, t.AnnotatorId))!;
        Assert.Equal(1, statistics["answers"]!.GetValue<int>());
        Assert.Equal(4.0, statistics["secondsPerInstance"]!.GetValue<double>());
        Assert.Equal(progress.ToJsonString(), (await api.Progress(t.CampaignId)).ToJsonString());
    }

    [Fact]
    public async Task A_skip_excludes_the_instance()
    {
        var t = await LeasedTask("skip", images: [0, 1]);

        using var skip = await api.Post(Api.TaskUrl(t.CampaignId, t.AnnotatorId, t.InstanceId, "skip"),
            new { submissionId = "skip-1", round = 1, secondsSpent = 3.0 });
        var result = await Api.Ok(skip);

        Assert.Equal("skipped", result["outcome"]!.GetValue<string>());
        Assert.Equal("skipped", result["status"]!.GetValue<string>());
        Assert.Equal(0, result["clickCount"]!.GetValue<int>());
        var instance = await api.Instance(t.CampaignId, t.InstanceId);
        Assert.Equal("skipped", instance["status"]!.GetValue<string>());
        Assert.True(Assert.Single(instance["answers"]!.AsArray())!["skipped"]!.GetValue<bool>());
        var progress = await api.Progress(t.CampaignId);
        Assert.Equal(1, progress["skipped"]!.GetValue<int>());
        Assert.Equal(1, progress["remaining"]!.GetValue<int>());
        Assert.Equal(1, progress["rounds"]![0]!["skipped"]!.GetValue<int>());
        var statistics = (await api.Statistics(t.CampaignId, t.AnnotatorId))!;
        Assert.Equal(1, statistics["skips"]!.GetValue<int>());
        Assert.Equal(0, statistics["answers"]!.GetValue<int>());

        // The skipped instance is not handed out again, and cannot be answered any more.
        var next = await api.Next(t.CampaignId, t.AnnotatorId);
        Assert.NotEqual(t.InstanceId, next["instanceId"]!.GetValue<string>());
        using var late = await api.Submit(t.CampaignId, t.AnnotatorId, t.InstanceId, 1, []);
        Assert.True(late.StatusCode is HttpStatusCode.Conflict, $"{(int)late.StatusCode}");
        Assert.Equal("skipped", (await api.Instance(t.CampaignId, t.InstanceId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Preview_returns_a_mask_of_the_image_size_and_stores_nothing()
    {
        var t = await LeasedTask("preview", maxClicksPerRound: 2);
        int width = t.Task["imageWidth"]!.GetValue<int>(), height = t.Task["imageHeight"]!.GetValue<int>();
        var before = await api.InstanceState(t.CampaignId, t.InstanceId);
        var url = Api.TaskUrl(t.CampaignId, t.AnnotatorId, t.InstanceId, "preview");
        using (var image = await api.Client.GetAsync(t.Task["imageUrl"]!.GetValue<string>()))
        {
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
            Assert.Equal("image/jpeg", image.Content.Headers.ContentType?.MediaType);
        }

        using var preview = await api.Post(url, new { round = 1, clicks = ClicksInside(t.Task, 2) });
        var body = await Api.Ok(preview);

        var mask = body["mask"]!;
        Assert.Equal([height, width], mask["size"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray());
        var decoded = CocoRle.Decode(mask["counts"]!.GetValue<string>(), height, width);
        Assert.Equal(width, decoded.Width);
        Assert.NotNull(body["timing"]);
        Assert.Equal(before, await api.InstanceState(t.CampaignId, t.InstanceId));

        using (var tooMany = await api.Post(url, new { round = 1, clicks = ClicksInside(t.Task, 3) }))
            await Api.Problem(tooMany, HttpStatusCode.UnprocessableEntity, "too_many_clicks", "clicks");
        using (var outside = await api.Post(url, new { round = 1, clicks = new[] { Api.Click(width + 3, 1) } }))
            await Api.Problem(outside, HttpStatusCode.UnprocessableEntity, "click_outside_image", "clicks[0]");
        using (var badLabel = await api.Post(url, new { round = 1, clicks = new[] { Api.Click(1, 1, "maybe") } }))
            await Api.Problem(badLabel, HttpStatusCode.BadRequest, "invalid", "clicks[0].label");

        await AssertNothingRecorded(t, before);
        Assert.Single((await api.Instance(t.CampaignId, t.InstanceId))["masks"]!.AsArray());
    }
}
