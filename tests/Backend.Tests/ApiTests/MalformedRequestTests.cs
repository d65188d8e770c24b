using System.Net;
using System.Text.Json;

namespace Backend.Tests.ApiTests;

/// <summary>Bodies that cannot be read are 400 problems naming where they broke, and change nothing.</summary>
[Collection(ApiCollection.Name)]
public sealed class MalformedRequestTests(GatewayFixture fixture)
{
    readonly Api api = new(fixture.Client);

    static string Root => JsonSerializer.Serialize(Api.ImageRoot);

    [Theory]
    [InlineData("""{"id":"ID","imageRoot":ROOT,"rounds":""", "rounds")]
    [InlineData("""{"id":"ID","imageRoot":ROOT,"rounds":"three"}""", "rounds")]
    [InlineData("""{"id":"ID","imageRoot":ROOT,"maxClicksPerRound":2.5}""", "maxClicksPerRound")]
    [InlineData("""{"id":"ID","imageRoot":ROOT,"classPolicies":{"cat":7}}""", "classPolicies.cat")]
    [InlineData("""{"id":"ID","imageRoot":ROOT,"model":"reference",}""", "body")]
    [InlineData("""["ID"]""", "body")]
    public async Task Broken_json_on_create_campaign_is_400_naming_the_field_and_creates_nothing(string template, string field)
    {
        var campaignId = Api.NewId("broken");
        var body = template.Replace("ID", campaignId).Replace("ROOT", Root);

        using var response = await api.PostRaw("/api/v1/campaigns", body);

        var problem = await Api.Problem(response, HttpStatusCode.BadRequest, "malformed_json", field);
        Assert.Contains("JSON", problem["detail"]!.GetValue<string>());
        using var get = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}");
        await Api.Problem(get, HttpStatusCode.NotFound, "not_initialized", "campaignId");
    }

    [Fact]
    public async Task Missing_or_invalid_campaign_fields_are_400_naming_them()
    {
        var campaignId = Api.NewId("invalid");
        using (var noBody = await api.PostRaw("/api/v1/campaigns", ""))
            await Api.Problem(noBody, HttpStatusCode.BadRequest, "malformed_json", "body");
        using (var noRoot = await api.Post("/api/v1/campaigns", new { id = campaignId }))
            await Api.Problem(noRoot, HttpStatusCode.BadRequest, "invalid", "imageRoot");
        using (var badLease = await api.Post("/api/v1/campaigns", new { id = campaignId, imageRoot = Api.ImageRoot, leaseSeconds = 0 }))
            await Api.Problem(badLease, HttpStatusCode.BadRequest, "invalid", "leaseSeconds");
        using (var badId = await api.Post("/api/v1/campaigns", new { id = "a/b", imageRoot = Api.ImageRoot }))
            await Api.Problem(badId, HttpStatusCode.BadRequest, "invalid", "id");
        using var get = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}");
        await Api.Problem(get, HttpStatusCode.NotFound, "not_initialized", "campaignId");
    }

    [Fact]
    public async Task Broken_submissions_are_400_naming_where_they_broke_and_record_nothing()
    {
        var campaignId = await api.RunningCampaign("malformed-submit", [0]);
        var annotatorId = await api.QualifiedAnnotator();
        var task = await api.Next(campaignId, annotatorId);
        var instanceId = task["instanceId"]!.GetValue<string>();
        var url = Api.TaskUrl(campaignId, annotatorId, instanceId, "submit");
        var before = await api.InstanceState(campaignId, instanceId);

        (string Body, string Code, string Field)[] cases =
        [
            ("""{"submissionId":"s1","round":1,"clicks":[{"x":10,"y":""", "malformed_json", "clicks[0].y"),
            ("""{"submissionId":"s1","round":1,"clicks":[{"x":"ten","y":10,"label":"foreground"}],"secondsSpent":1}""", "malformed_json", "clicks[0].x"),
            ("""{"submissionId":"s1","round":"1","clicks":[],"secondsSpent":1}""", "malformed_json", "round"),
            ("""{"submissionId":"s1" "round":1}""", "malformed_json", "body"),
            ("", "malformed_json", "body"),
            ("null", "malformed_json", "body"),
            ("""{"submissionId":"s1","round":1,"clicks":[{"x":10,"y":10}],"secondsSpent":1}""", "invalid", "clicks[0].label"),
            ("""{"submissionId":"s1","round":1,"clicks":[{"x":10,"y":10,"label":"maybe"}],"secondsSpent":1}""", "invalid", "clicks[0].label"),
            ("""{"submissionId":"s1","round":1,"clicks":[{"x":10,"y":10,"label":"foreground"},{"x":12,"y":10,"label":"Foreground"}],"secondsSpent":1}""", "invalid", "clicks[1].label"),
            ("""{"submissionId":"s1","round":1,"clicks":[{"y":10,"label":"foreground"}],"secondsSpent":1}""", "invalid", "clicks[0].x"),
            ("""{"submissionId":"s1","round":1,"clicks":[{"x":10,"label":"background"}],"secondsSpent":1}""", "invalid", "clicks[0].y"),
            ("""{"submissionId":"s1","round":1,"clicks":[null],"secondsSpent":1}""", "invalid", "clicks[0]"),
            ("""{"submissionId":"s1","round":1,"secondsSpent":1}""", "invalid", "clicks"),
            ("""{"submissionId":"s1","clicks":[],"secondsSpent":1}""", "invalid", "round"),
            ("""{"submissionId":"s1","round":1,"clicks":[]}""", "invalid", "secondsSpent"),
            ("""{"round":1,"clicks":[],"secondsSpent":1}""", "invalid", "submissionId"),
        ];
        foreach (var (body, code, field) in cases)
        {
            using var response = await api.PostRaw(url, body);
            await Api.Problem(response, HttpStatusCode.BadRequest, code, field);
        }

        Assert.Equal(before, await api.InstanceState(campaignId, instanceId));
        Assert.Equal(0, (await api.Statistics(campaignId, annotatorId))!["answers"]!.GetValue<int>());
        // The id "s1" was never taken: a valid answer under it is recorded as given.
        using var good = await api.Submit(campaignId, annotatorId, instanceId, 1, [], submissionId: "s1");
        Assert.Equal("accepted", (await Api.Ok(good))["outcome"]!.GetValue<string>());
    }
}
