using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Segmentation.Tests;

namespace Backend.Tests;

/// <summary>
/// Signs each test request in as the right account: requests on <c>/campaigns/C/annotators/A/...</c> as annotator A
/// (the account, its membership of C and its token are made on first use), everything else as the admin. A request that
/// already carries an Authorization header is sent as it is.
/// </summary>
public sealed partial class TestAccountsHandler(string adminToken) : DelegatingHandler(new HttpClientHandler())
{
    readonly ConcurrentDictionary<string, Task<string>> tokens = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<(string, string), Task> memberships = new();

    [GeneratedRegex("^/api/v1/campaigns/([^/]+)/annotators/([^/]+)/")]
    private static partial Regex AnnotatorPath();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null)
        {
            var token = adminToken;
            var match = AnnotatorPath().Match(request.RequestUri!.AbsolutePath);
            if (match.Success)
            {
                var campaignId = Uri.UnescapeDataString(match.Groups[1].Value);
                var annotatorId = Uri.UnescapeDataString(match.Groups[2].Value);
                token = await tokens.GetOrAdd(annotatorId, id => AnnotatorToken(request.RequestUri, id));
                await memberships.GetOrAdd((campaignId, annotatorId), key => AddMember(request.RequestUri, key.Item1, key.Item2));
            }
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>Creates the annotator account (unless it exists) with a fresh password and answers a token for it.</summary>
    async Task<string> AnnotatorToken(Uri any, string annotatorId)
    {
        var password = Guid.NewGuid().ToString("N");
        using var admin = AdminClient(any);
        using (var created = await admin.PostAsJsonAsync("/api/v1/users", new { userName = annotatorId, password, role = "annotator" }))
        {
            if (created.StatusCode == HttpStatusCode.Conflict)
            {
                using var reset = await admin.PutAsJsonAsync($"/api/v1/users/{annotatorId}/password", new { password });
                Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
            }
            else Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        using var anonymous = new HttpClient { BaseAddress = new Uri(any.GetLeftPart(UriPartial.Authority)) };
        return await TestGatewaySettings.Token(anonymous, annotatorId, password);
    }

    async Task AddMember(Uri any, string campaignId, string annotatorId)
    {
        using var admin = AdminClient(any);
        using var added = await admin.PutAsync($"/api/v1/campaigns/{Uri.EscapeDataString(campaignId)}/members/{annotatorId}", null);
        // A campaign that does not exist keeps its 404 for the test's own request to report.
        Assert.True(added.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.BadRequest,
            $"membership of {annotatorId} in {campaignId}: {(int)added.StatusCode} {await added.Content.ReadAsStringAsync()}");
    }

    HttpClient AdminClient(Uri any)
    {
        var client = new HttpClient { BaseAddress = new Uri(any.GetLeftPart(UriPartial.Authority)) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        return client;
    }
}
