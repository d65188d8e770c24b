using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Backend.Tests.ApiTests;

/// <summary>
/// A catalogue of bad requests, as a newcomer or an attacker would send them: each gets a 4xx problem+json with
/// <c>code</c> and <c>field</c>, never echoes a huge value back, and leaves campaigns, instances, annotators, progress and
/// accounts exactly as they were.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HostileRequestTests(GatewayFixture fixture)
{
    readonly Api api = new(fixture.Client);

    sealed record Case(string Name, string? Token, string Method, string Url, string? Body, int Status, string Code, string? Field,
        string ContentType = "application/json");

    sealed record Context(string CampaignId, string InstanceId, string AnnotatorId, string Token, int Round);

    [Fact]
    public async Task Every_hostile_request_is_a_clear_4xx_that_changes_nothing()
    {
        // C: a running campaign where annotator A holds a lease; B is a member without one.
        var c = await Leased("hostile", [0, 1, 2]);
        var (bName, bToken) = await Annotator("hostile-b", c.CampaignId);
        // E: A lease that has expired; P and F: leases taken before a pause and before a finish.
        var e = await Leased("hostile-expired", [3], leaseSeconds: 1);
        var p = await Leased("hostile-paused", [4]);
        var f = await Leased("hostile-finished", [5]);
        using (var pause = await api.Client.PostAsync($"/api/v1/campaigns/{p.CampaignId}/pause", null)) await Api.Ok(pause);
        using (var finish = await api.Client.PostAsync($"/api/v1/campaigns/{f.CampaignId}/finish", null)) await Api.Ok(finish);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var admin = fixture.AdminToken;
        var root = Api.ImageRoot;

        string TaskPath(Context x, string action, string? instanceId = null) =>
            $"/api/v1/campaigns/{x.CampaignId}/tasks/{instanceId ?? x.InstanceId}/{action}";
        string Submit(Context x, object clicks, int? round = null, double seconds = 2, string? id = null) => new JsonObject
        {
            ["submissionId"] = id ?? Guid.NewGuid().ToString("N"), ["round"] = round ?? x.Round,
            ["clicks"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(clicks)), ["secondsSpent"] = seconds,
        }.ToJsonString();
        var click = new { x = 10.0, y = 10.0, label = "foreground" };
        var huge = new string('x', 1 << 20);
        var ranking = $"/api/v1/campaigns/{c.CampaignId}/ranking";

        Case[] cases =
        [
            // Campaign creation (1b): control characters, ids that cannot be addressed, sizes, types and numbers.
            new("NUL in imageRoot", admin, "POST", "/api/v1/campaigns", Json(new { id = Api.NewId("h"), imageRoot = root + "\0/x" }), 400, "invalid", "imageRoot"),
            new("non-ASCII campaign id", admin, "POST", "/api/v1/campaigns", Json(new { id = "caf\u00e9-" + Guid.NewGuid().ToString("N")[..6], imageRoot = root }), 400, "invalid", "id"),
            new("campaign id .", admin, "POST", "/api/v1/campaigns", Json(new { id = ".", imageRoot = root }), 400, "invalid", "id"),
            new("campaign id ..", admin, "POST", "/api/v1/campaigns", Json(new { id = "..", imageRoot = root }), 400, "invalid", "id"),
            new("campaign id with a slash", admin, "POST", "/api/v1/campaigns", Json(new { id = "a/b", imageRoot = root }), 400, "invalid", "id"),
            new("1 MiB class policy", admin, "POST", "/api/v1/campaigns", Json(new { id = Api.NewId("h"), imageRoot = root, classPolicies = new Dictionary<string, string> { ["cat"] = huge } }), 400, "invalid", "classPolicies.cat"),
            new("1 MiB campaign id", admin, "POST", "/api/v1/campaigns", Json(new { id = huge, imageRoot = root }), 400, "invalid", "id"),
            new("image root outside the allowed roots", admin, "POST", "/api/v1/campaigns", Json(new { id = Api.NewId("h"), imageRoot = "/" }), 400, "invalid", "imageRoot"),
            new("image root climbing out", admin, "POST", "/api/v1/campaigns", Json(new { id = Api.NewId("h"), imageRoot = root + "/../../../../../etc" }), 400, "invalid", "imageRoot"),
            new("rounds as text", admin, "POST", "/api/v1/campaigns", $$"""{"id":"{{Api.NewId("h")}}","imageRoot":{{Quote(root)}},"rounds":"three"}""", 400, "malformed_json", "rounds"),
            new("rounds 1e40", admin, "POST", "/api/v1/campaigns", $$"""{"id":"{{Api.NewId("h")}}","imageRoot":{{Quote(root)}},"rounds":1e40}""", 400, "malformed_json", "rounds"),
            new("lease NaN", admin, "POST", "/api/v1/campaigns", $$"""{"id":"{{Api.NewId("h")}}","imageRoot":{{Quote(root)}},"leaseSeconds":"NaN"}""", 400, "malformed_json", "leaseSeconds"),
            new("ground-truth fraction 2", admin, "POST", "/api/v1/campaigns", Json(new { id = Api.NewId("h"), imageRoot = root, groundTruthFraction = 2.0 }), 400, "invalid", null),
            new("malformed JSON", admin, "POST", "/api/v1/campaigns", """{"id": "x", """, 400, "malformed_json", null),
            new("JSON array instead of object", admin, "POST", "/api/v1/campaigns", "[1,2,3]", 400, "malformed_json", null),
            // Query parameters that fail to bind or are out of range.
            new("limit=abc", admin, "GET", ranking + "?limit=abc", null, 400, "invalid", "limit"),
            new("limit 99999999999", admin, "GET", ranking + "?limit=99999999999", null, 400, "invalid", "limit"),
            new("negative offset", admin, "GET", ranking + "?offset=-5", null, 400, "invalid", "offset"),
            new("unknown order", admin, "GET", ranking + "?order=sideways", null, 400, "invalid", "order"),
            new("export in xml", admin, "GET", $"/api/v1/campaigns/{c.CampaignId}/export?format=xml", null, 400, "invalid", "format"),
            new("negative extra-click budget", admin, "POST", $"/api/v1/campaigns/{c.CampaignId}/extra-rounds", Json(new { clicks = -1, strategy = "random" }), 400, "invalid", null),
            new("import into a running campaign", admin, "POST", $"/api/v1/campaigns/{c.CampaignId}/imports?format=coco", Api.Coco(6).ToJsonString(), 409, "invalid_transition", "status"),
            // Submissions: bodies, numbers, clicks, rounds and leases.
            new("submit text/plain", c.Token, "POST", TaskPath(c, "submit"), "hello", 415, "unsupported_media_type", "Content-Type", "text/plain"),
            new("submit without body", c.Token, "POST", TaskPath(c, "submit"), "", 400, "malformed_json", "body"),
            new("click x NaN", c.Token, "POST", TaskPath(c, "submit"), Submit(c, new[] { new { x = "NaN", y = "1", label = "foreground" } }), 400, "malformed_json", "clicks[0].x"),
            new("click x 1e308", c.Token, "POST", TaskPath(c, "submit"), Submit(c, new[] { new { x = 1e308, y = 1.0, label = "foreground" } }), 422, "click_outside_image", "clicks[0]"),
            new("click left of the image", c.Token, "POST", TaskPath(c, "submit"), Submit(c, new[] { new { x = -5.0, y = 10.0, label = "foreground" } }), 422, "click_outside_image", "clicks[0]"),
            new("click label middle", c.Token, "POST", TaskPath(c, "submit"), Submit(c, new[] { new { x = 5.0, y = 5.0, label = "middle" } }), 400, "invalid", "clicks[0].label"),
            new("too many clicks", c.Token, "POST", TaskPath(c, "submit"), Submit(c, Enumerable.Repeat(click, 10).ToArray()), 422, "too_many_clicks", "clicks"),
            new("wrong round", c.Token, "POST", TaskPath(c, "submit"), Submit(c, new[] { click }, round: c.Round + 1), 409, "wrong_round", "round"),
            new("negative seconds", c.Token, "POST", TaskPath(c, "submit"), Submit(c, new[] { click }, seconds: -1), 400, "invalid", "secondsSpent"),
            new("seconds 1e12", c.Token, "POST", TaskPath(c, "submit"), Submit(c, new[] { click }, seconds: 1e12), 400, "invalid", "secondsSpent"),
            new("no submission id", c.Token, "POST", TaskPath(c, "submit"), Json(new { round = c.Round, clicks = Array.Empty<object>(), secondsSpent = 1 }), 400, "invalid", "submissionId"),
            new("1 MiB submission id", c.Token, "POST", TaskPath(c, "submit"), Submit(c, Array.Empty<object>(), id: huge), 400, "invalid", "submissionId"),
            new("someone else's lease", bToken, "POST", TaskPath(c, "submit"), Submit(c, new[] { click }), 409, "lease_not_held", "annotatorId"),
            new("acting as another annotator", c.Token, "POST", $"/api/v1/campaigns/{c.CampaignId}/annotators/{bName}/tasks/{c.InstanceId}/submit", Submit(c, new[] { click }), 403, "forbidden", "annotatorId"),
            new("skip with an unknown reason", c.Token, "POST", TaskPath(c, "skip"), Json(new { submissionId = "s1", round = c.Round, secondsSpent = 1, reason = "bored" }), 400, "invalid", "reason"),
            new("trajectory point of two numbers", c.Token, "POST", TaskPath(c, "submit"), Json(new { submissionId = "t1", round = c.Round, clicks = Array.Empty<object>(), secondsSpent = 1, trajectory = new[] { new[] { 1, 2 } } }), 400, "invalid", "trajectory[0]"),
            new("trajectory of 5000 points", c.Token, "POST", TaskPath(c, "submit"), Json(new { submissionId = "t2", round = c.Round, clicks = Array.Empty<object>(), secondsSpent = 1, trajectory = Enumerable.Range(0, 5000).Select(i => new[] { i, 1, 1 }).ToArray() }), 400, "invalid", "trajectory"),
            new("expired lease", e.Token, "POST", TaskPath(e, "submit"), Submit(e, Array.Empty<object>()), 409, "lease_not_held", null),
            new("submission after pause", p.Token, "POST", TaskPath(p, "submit"), Submit(p, Array.Empty<object>()), 409, "campaign_not_running", "campaignId"),
            new("submission after finish", f.Token, "POST", TaskPath(f, "submit"), Submit(f, new[] { click }), 409, "campaign_not_running", "campaignId"),
            new("preview of an instance not leased", c.Token, "POST", TaskPath(c, "preview", c.InstanceId == "1" ? "2" : "1"), Json(new { round = 1, clicks = new[] { click } }), 409, "lease_not_held", null),
            // Images: paths that leave the root.
            new("image path ../ (annotator)", c.Token, "GET", $"/api/v1/images/{c.CampaignId}/..%2F..%2Fgt%2F000.png", null, 403, "forbidden", "path"),
            new("image path /etc/passwd (annotator)", c.Token, "GET", $"/api/v1/images/{c.CampaignId}/%2Fetc%2Fpasswd", null, 403, "forbidden", "path"),
            new("image path ../ (manager)", admin, "GET", $"/api/v1/images/{c.CampaignId}/..%2F..%2Fgt%2F000.png", null, 404, "not_initialized", "path"),
            new("image path /etc/passwd (manager)", admin, "GET", $"/api/v1/images/{c.CampaignId}/%2Fetc%2Fpasswd", null, 404, "not_initialized", "path"),
            new("image path %2e%2e, normalised away from the image route", admin, "GET", $"/api/v1/images/{c.CampaignId}/%2e%2e/%2e%2e/gt/000.png", null, 404, "not_found", "path"),
            new("unknown route", admin, "GET", "/api/v1/nothing-here", null, 404, "not_found", "path"),
            new("wrong method", admin, "DELETE", "/api/v1/campaigns", null, 405, "method_not_allowed", "method"),
            new("image of another campaign's member", bToken, "GET", $"/api/v1/images/{f.CampaignId}/000.jpg", null, 403, "forbidden", "campaignId"),
            // Accounts.
            new("qualify a user who does not exist", admin, "PUT", "/api/v1/annotators/nobody-here/qualification", Json(new { qualified = true }), 404, "not_initialized", "annotatorId"),
            new("user name with spaces", admin, "POST", "/api/v1/users", Json(new { userName = "Bad Name!", password = "long-enough-1" }), 400, "invalid", "userName"),
            new("short password", admin, "POST", "/api/v1/users", Json(new { userName = Api.NewId("u"), password = "short" }), 400, "invalid", "password"),
            new("annotator creates a user", c.Token, "POST", "/api/v1/users", Json(new { userName = Api.NewId("u"), password = "long-enough-1" }), 403, "forbidden", "role"),
            new("wrong password", null, "POST", "/api/v1/auth/tokens", Json(new { userName = "admin", password = "not-the-password" }), 401, "bad_credentials", "password"),
            new("garbage bearer token", "ann_garbage", "GET", "/api/v1/campaigns", null, 401, "unauthenticated", "authorization"),
            new("member who does not exist", admin, "PUT", $"/api/v1/campaigns/{c.CampaignId}/members/nobody-here", null, 404, "not_initialized", "userName"),
        ];
        Assert.True(cases.Length >= 40, $"{cases.Length} cases");

        var contexts = new[] { c, e, p, f };
        var before = await Snapshot(contexts);
        var failures = new List<string>();
        foreach (var test in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(test.Method), test.Url);
            if (test.Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", test.Token);
            if (test.Body is not null) request.Content = new StringContent(test.Body, Encoding.UTF8, test.ContentType);
            using var response = await fixture.Anonymous.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? JsonNode.Parse(text)?.AsObject() : null;
            var code = problem?["code"]?.GetValue<string>();
            var field = problem?["field"]?.GetValue<string>();
            if ((int)response.StatusCode != test.Status || code != test.Code || field is null || (test.Field is not null && field != test.Field))
                failures.Add($"{test.Name}: expected {test.Status} {test.Code} on {test.Field ?? "any field"}, got {(int)response.StatusCode} {Shorten(text)}");
            if (text.Length > 4000) failures.Add($"{test.Name}: the refusal is {text.Length} characters long");
            var after = await Snapshot(contexts);
            if (after != before) failures.Add($"{test.Name}: the state changed:\n{before}\n{after}");
            before = after;
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>A running campaign on the DAVIS objects <paramref name="images"/> whose new annotator holds a lease on one of them.</summary>
    async Task<Context> Leased(string prefix, int[] images, double leaseSeconds = 600)
    {
        var campaignId = await api.RunningCampaign(prefix, images, leaseSeconds: leaseSeconds);
        var (name, token) = await Annotator(prefix + "-ann", campaignId);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/campaigns/{campaignId}/tasks/next");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await fixture.Anonymous.SendAsync(request);
        var task = await Api.Ok(response);
        return new Context(campaignId, task["instanceId"]!.GetValue<string>(), name, token, task["round"]!.GetValue<int>());
    }

    /// <summary>A qualified annotator account that is a member of the campaign, with its own token.</summary>
    async Task<(string Name, string Token)> Annotator(string prefix, string campaignId)
    {
        var name = Api.NewId(prefix);
        var password = Guid.NewGuid().ToString("N");
        using (var created = await api.Post("/api/v1/users", new { userName = name, password })) Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var qualified = await api.Client.PutAsJsonAsync($"/api/v1/annotators/{name}/qualification", new { qualified = true })) await Api.Ok(qualified);
        using (var member = await api.Client.PutAsync($"/api/v1/campaigns/{campaignId}/members/{name}", null)) await Api.Ok(member);
        return (name, await TestGatewaySettings.Token(fixture.Anonymous, name, password));
    }

    /// <summary>Everything a refused request must leave alone, as one text.</summary>
    async Task<string> Snapshot(IEnumerable<Context> contexts)
    {
        var all = new JsonObject
        {
            ["campaigns"] = new JsonArray((await api.Get("/api/v1/campaigns"))["campaigns"]!.AsArray().Select(x => (JsonNode)x!["id"]!.GetValue<string>()).ToArray()),
            ["users"] = new JsonArray((await api.Get("/api/v1/users"))["users"]!.AsArray().Select(x => (JsonNode)x!["userName"]!.GetValue<string>()).ToArray()),
        };
        foreach (var x in contexts)
        {
            all[x.CampaignId] = new JsonObject
            {
                ["campaign"] = await api.Campaign(x.CampaignId),
                ["progress"] = await api.Progress(x.CampaignId),
                ["instances"] = new JsonArray((await Instances(x.CampaignId)).ToArray()),
                ["annotator"] = await api.Get($"/api/v1/annotators/{x.AnnotatorId}"),
            };
        }
        return all.ToJsonString();
    }

    async Task<IEnumerable<JsonNode>> Instances(string campaignId)
    {
        var list = new List<JsonNode>();
        for (var i = 1; ; i++)
        {
            using var response = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}/instances/{i}");
            if (response.StatusCode == HttpStatusCode.NotFound) return list;
            list.Add(JsonNode.Parse(await api.InstanceState(campaignId, i.ToString()))!);
        }
    }

    static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value, Api.WebJson);

    static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    static string Shorten(string text) => text.Length <= 400 ? text : text[..400] + "…";
}
