using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Backend.Tests.ApiTests;

/// <summary>
/// Every endpoint of the OpenAPI document, called by four callers (nobody, an annotator who is not a member of the
/// campaign, a member annotator, a manager), gets the answer its access rule says: refused (401 for nobody, 403 for a
/// signed-in caller without the right) or let through to the endpoint's own checks.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AuthorizationTableTests(GatewayFixture fixture)
{
    readonly Api api = new(fixture.Client);

    enum Access { Public, SignedIn, Member, Manager }

    enum Caller { Nobody, Outsider, Member, Manager }

    /// <summary>The access rule of every endpoint; a new endpoint without a rule here fails the test.</summary>
    static readonly Dictionary<string, Access> Rules = new(StringComparer.Ordinal)
    {
        ["GET /health"] = Access.Public,
        ["GET /health/live"] = Access.Public,
        ["GET /openapi/v1.json"] = Access.Public,
        ["POST /api/v1/auth/login"] = Access.Public,
        ["POST /api/v1/auth/tokens"] = Access.Public,
        ["POST /api/v1/auth/logout"] = Access.SignedIn,
        ["GET /api/v1/auth/me"] = Access.SignedIn,
        ["GET /api/v1/me/tokens"] = Access.SignedIn,
        ["POST /api/v1/me/tokens"] = Access.SignedIn,
        ["DELETE /api/v1/me/tokens/{tokenId}"] = Access.SignedIn,
        ["PUT /api/v1/me/password"] = Access.SignedIn,
        ["GET /api/v1/campaigns"] = Access.SignedIn,
        ["GET /api/v1/campaigns/{campaignId}"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/tasks/next"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/tasks/{instanceId}/submit"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/tasks/{instanceId}/skip"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/tasks/{instanceId}/preview"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/tasks/release"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/annotators/{annotatorId}/next"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/annotators/{annotatorId}/tasks/{instanceId}/submit"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/annotators/{annotatorId}/tasks/{instanceId}/skip"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/annotators/{annotatorId}/tasks/{instanceId}/preview"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/annotators/{annotatorId}/release"] = Access.Member,
        ["GET /api/v1/images/{campaignId}/{path}"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/paint/next"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/paint/{instanceId}/submit"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/paint/{instanceId}/skip"] = Access.Member,
        ["POST /api/v1/campaigns/{campaignId}/paint/release"] = Access.Member,
        ["GET /api/v1/campaigns/{campaignId}/instances/{instanceId}/reference"] = Access.Manager,
        ["PUT /api/v1/qualifications/{kind}"] = Access.Manager,
        ["GET /api/v1/qualifications/{kind}"] = Access.Manager,
        ["GET /api/v1/me/qualifications"] = Access.SignedIn,
        ["POST /api/v1/me/qualifications/{kind}/next"] = Access.SignedIn,
        ["GET /api/v1/me/qualifications/{kind}/items/{item}/image"] = Access.SignedIn,
        ["POST /api/v1/me/qualifications/{kind}/items/{item}/preview"] = Access.SignedIn,
        ["POST /api/v1/me/qualifications/{kind}/items/{item}/submit"] = Access.SignedIn,
        ["POST /api/v1/campaigns"] = Access.Manager,
        ["POST /api/v1/campaigns/{campaignId}/start"] = Access.Manager,
        ["POST /api/v1/campaigns/{campaignId}/pause"] = Access.Manager,
        ["POST /api/v1/campaigns/{campaignId}/resume"] = Access.Manager,
        ["POST /api/v1/campaigns/{campaignId}/finish"] = Access.Manager,
        ["GET /api/v1/campaigns/{campaignId}/progress"] = Access.Manager,
        ["GET /api/v1/campaigns/{campaignId}/statistics"] = Access.Manager,
        ["GET /api/v1/campaigns/{campaignId}/quality/annotators"] = Access.Manager,
        ["GET /api/v1/campaigns/{campaignId}/quality/report"] = Access.Manager,
        ["GET /api/v1/campaigns/{campaignId}/annotators"] = Access.Manager,
        ["GET /api/v1/campaigns/{campaignId}/instances/{instanceId}"] = Access.Manager,
        ["POST /api/v1/campaigns/{campaignId}/imports"] = Access.Manager,
        ["GET /api/v1/campaigns/{campaignId}/export"] = Access.Manager,
        ["GET /api/v1/campaigns/{campaignId}/ranking"] = Access.Manager,
        ["GET /api/v1/campaigns/{campaignId}/ranking/curve"] = Access.Manager,
        ["GET /api/v1/campaigns/{campaignId}/ranking/model"] = Access.Manager,
        ["GET /api/v1/campaigns/{campaignId}/extra-rounds"] = Access.Manager,
        ["POST /api/v1/campaigns/{campaignId}/extra-rounds"] = Access.Manager,
        ["GET /api/v1/campaigns/{campaignId}/members"] = Access.Manager,
        ["PUT /api/v1/campaigns/{campaignId}/members/{userName}"] = Access.Manager,
        ["DELETE /api/v1/campaigns/{campaignId}/members/{userName}"] = Access.Manager,
        ["GET /api/v1/annotators/{annotatorId}"] = Access.Manager,
        ["PUT /api/v1/annotators/{annotatorId}/qualification"] = Access.Manager,
        ["GET /api/v1/users"] = Access.Manager,
        ["POST /api/v1/users"] = Access.Manager,
        ["PUT /api/v1/users/{userName}/password"] = Access.Manager,
    };

    [Fact]
    public async Task Every_endpoint_answers_each_caller_as_its_access_rule_says()
    {
        var campaignId = await api.RunningCampaign("authz", [0, 1]);
        var users = new Dictionary<Caller, (string Name, string? Token)> { [Caller.Nobody] = ("nobody", null) };
        foreach (var (caller, role) in new[] { (Caller.Outsider, "annotator"), (Caller.Member, "annotator"), (Caller.Manager, "manager") })
        {
            var name = Api.NewId("authz-" + caller.ToString().ToLowerInvariant());
            var password = Guid.NewGuid().ToString("N");
            using (var created = await api.Post("/api/v1/users", new { userName = name, password, role }))
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using (var qualified = await api.Client.PutAsJsonAsync($"/api/v1/annotators/{name}/qualification", new { qualified = true }))
                Assert.Equal(HttpStatusCode.OK, qualified.StatusCode);
            users[caller] = (name, await TestGatewaySettings.Token(fixture.Anonymous, name, password));
        }
        using (var member = await api.Client.PutAsync($"/api/v1/campaigns/{campaignId}/members/{users[Caller.Member].Name}", null))
            Assert.Equal(HttpStatusCode.OK, member.StatusCode);
        var spare = Api.NewId("authz-spare");
        using (var created = await api.Post("/api/v1/users", new { userName = spare, password = Guid.NewGuid().ToString("N") }))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var document = await api.Get("/openapi/v1.json");
        var endpoints = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}"))
            .Append("GET /openapi/v1.json")
            .ToArray();
        var unruled = endpoints.Where(e => !Rules.ContainsKey(NormalizeCatchAll(e))).ToArray();
        Assert.True(unruled.Length == 0, "endpoints without an access rule: " + string.Join(", ", unruled));
        var stale = Rules.Keys.Where(rule => !endpoints.Select(NormalizeCatchAll).Contains(rule)).ToArray();
        Assert.True(stale.Length == 0, "rules of endpoints the document does not list: " + string.Join(", ", stale));

        var failures = new List<string>();
        // The manager goes last: its calls (finish, members) change the campaign the others are checked on.
        foreach (var caller in new[] { Caller.Nobody, Caller.Outsider, Caller.Member, Caller.Manager })
        {
            foreach (var endpoint in endpoints)
            {
                var rule = Rules[NormalizeCatchAll(endpoint)];
                var (method, template) = (endpoint[..endpoint.IndexOf(' ')], endpoint[(endpoint.IndexOf(' ') + 1)..]);
                var url = NormalizeCatchAll(template)
                    .Replace("{campaignId}", campaignId).Replace("{instanceId}", "1").Replace("{annotatorId}", users[caller].Name)
                    .Replace("{userName}", spare).Replace("{tokenId}", "no-such-token").Replace("{path}", "000.jpg")
                    .Replace("{kind}", Grains.Interfaces.QualificationKinds.Corrective).Replace("{item}", "0");
                if (url.Contains('{')) failures.Add($"{endpoint}: no value for a route parameter");
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (users[caller].Token is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                if (method is "POST" or "PUT") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                using var response = await fixture.Anonymous.SendAsync(request);
                var status = (int)response.StatusCode;
                var body = await response.Content.ReadAsStringAsync();
                var code = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? JsonNode.Parse(body)?["code"]?.GetValue<string>() : null;
                var field = code is null ? null : JsonNode.Parse(body)?["field"]?.GetValue<string>();
                // An access rule's refusal, not an endpoint's own check (such as an annotator asking for an image of a task not held).
                var refused = (status == 401 && code == "unauthenticated")
                    || (status == 403 && code == "forbidden" && field is "role" or "campaignId" or "annotatorId");
                var expectRefusal = Expected(rule, caller);
                if (expectRefusal is { } expected && (status != expected || !refused))
                    failures.Add($"{caller} {method} {url}: expected {expected} refusal, got {status} {Shorten(body)}");
                if (expectRefusal is null && (refused || status >= 500))
                    failures.Add($"{caller} {method} {url}: expected to pass authorization, got {status} {Shorten(body)}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The refusal a caller must get (401 or 403), or null when the call must reach the endpoint.</summary>
    static int? Expected(Access rule, Caller caller) => (rule, caller) switch
    {
        (Access.Public, _) => null,
        (_, Caller.Nobody) => 401,
        (Access.SignedIn, _) => null,
        (Access.Member, Caller.Outsider) => 403,
        (Access.Member, _) => null,
        (Access.Manager, Caller.Manager) => null,
        (Access.Manager, _) => 403,
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    /// <summary>The OpenAPI document spells the image route's catch-all as {path} or {**path}; the table uses {path}.</summary>
    static string NormalizeCatchAll(string endpoint) => endpoint.Replace("{**path}", "{path}").Replace("{*path}", "{path}");

    static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
