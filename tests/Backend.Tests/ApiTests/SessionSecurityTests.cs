using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Backend.Tests.ApiTests;

/// <summary>Sessions, anti-forgery, tokens and what an annotator may load: the rules a browser or a stolen credential meets.</summary>
[Collection(ApiCollection.Name)]
public sealed class SessionSecurityTests(GatewayFixture fixture)
{
    readonly Api api = new(fixture.Client);

    async Task<(string Name, string Password)> NewUser(string role = "annotator")
    {
        var name = Api.NewId("sess");
        var password = Guid.NewGuid().ToString("N");
        using var created = await api.Post("/api/v1/users", new { userName = name, password, role });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (name, password);
    }

    HttpClient Browser(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, UseCookies = true }) { BaseAddress = fixture.Anonymous.BaseAddress };
    }

    [Fact]
    public async Task A_cookie_session_changes_state_only_with_the_anti_forgery_header()
    {
        var (name, password) = await NewUser();
        using var browser = Browser(out var cookies);
        using (var login = await browser.PostAsJsonAsync("/api/v1/auth/login", new { userName = name, password }))
            await Api.Ok(login);
        var session = cookies.GetAllCookies().Single(c => c.Name == "annotation.session");
        Assert.True(session.HttpOnly);

        using (var noHeader = await browser.PostAsJsonAsync("/api/v1/me/tokens", new { name = "x" }))
            await Api.Problem(noHeader, HttpStatusCode.BadRequest, "antiforgery", "X-CSRF-TOKEN");
        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/v1/me/tokens") { Content = JsonContent.Create(new { name = "x" }) })
        {
            wrong.Headers.Add("X-CSRF-TOKEN", "forged");
            using var response = await browser.SendAsync(wrong);
            await Api.Problem(response, HttpStatusCode.BadRequest, "antiforgery", "X-CSRF-TOKEN");
        }
        var me = await Api.Ok(await browser.GetAsync("/api/v1/auth/me"));
        Assert.Equal(name, me["userName"]!.GetValue<string>());
        using (var right = new HttpRequestMessage(HttpMethod.Post, "/api/v1/me/tokens") { Content = JsonContent.Create(new { name = "x" }) })
        {
            right.Headers.Add("X-CSRF-TOKEN", me["antiforgeryToken"]!.GetValue<string>());
            using var response = await browser.SendAsync(right);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        // Nothing was created by the refused requests: one token only.
        var tokens = await Api.Ok(await browser.GetAsync("/api/v1/me/tokens"));
        Assert.Single(tokens["tokens"]!.AsArray());
    }

    [Fact]
    public async Task A_sign_in_posted_from_another_site_or_not_as_json_is_refused()
    {
        var (name, password) = await NewUser();
        using var browser = Browser(out var cookies);
        using (var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = JsonContent.Create(new { userName = name, password }) })
        {
            crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
            using var response = await browser.SendAsync(crossSite);
            await Api.Problem(response, HttpStatusCode.Forbidden, "forbidden", "Sec-Fetch-Site");
        }
        var form = $$"""{"userName":"{{name}}","password":"{{password}}"}""";
        using (var textPlain = await browser.PostAsync("/api/v1/auth/login", new StringContent(form, Encoding.UTF8, "text/plain")))
            await Api.Problem(textPlain, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type", "Content-Type");
        Assert.DoesNotContain(cookies.GetAllCookies(), c => c.Name == "annotation.session");
    }

    [Fact]
    public async Task A_revoked_token_and_the_tokens_of_a_reset_password_stop_working()
    {
        var (name, password) = await NewUser();
        var first = await TestGatewaySettings.Token(fixture.Anonymous, name, password);
        var second = await TestGatewaySettings.Token(fixture.Anonymous, name, password);
        using var client = new HttpClient { BaseAddress = fixture.Anonymous.BaseAddress };
        async Task<HttpStatusCode> Me(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await Me(first));

        using (var list = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me/tokens"))
        {
            list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", first);
            var tokens = await Api.Ok(await client.SendAsync(list));
            var id = tokens["tokens"]!.AsArray().Single(t => first.EndsWith(t!["lastFour"]!.GetValue<string>(), StringComparison.Ordinal))!["id"]!.GetValue<string>();
            using var revoke = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/me/tokens/{id}");
            revoke.Headers.Authorization = new AuthenticationHeaderValue("Bearer", first);
            using var revoked = await client.SendAsync(revoke);
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await Me(first));
        Assert.Equal(HttpStatusCode.OK, await Me(second));

        // A manager resets the password (as after a leak): the remaining token ends too, and so does the old password.
        using (var reset = await api.Client.PutAsJsonAsync($"/api/v1/users/{name}/password", new { password = "a-new-password-1" }))
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await Me(second));
        using var old = await fixture.Anonymous.PostAsJsonAsync("/api/v1/auth/tokens", new { userName = name, password });
        await Api.Problem(old, HttpStatusCode.Unauthorized, "bad_credentials", "password");
    }

    [Fact]
    public async Task A_password_change_ends_other_sessions_but_keeps_the_one_that_made_it()
    {
        var (name, password) = await NewUser();
        using var other = Browser(out _);
        using var mine = Browser(out _);
        foreach (var browser in new[] { other, mine })
            using (var login = await browser.PostAsJsonAsync("/api/v1/auth/login", new { userName = name, password }))
                await Api.Ok(login);
        var me = await Api.Ok(await mine.GetAsync("/api/v1/auth/me"));
        using (var change = new HttpRequestMessage(HttpMethod.Put, "/api/v1/me/password")
               { Content = JsonContent.Create(new { currentPassword = password, password = "changed-password-1" }) })
        {
            change.Headers.Add("X-CSRF-TOKEN", me["antiforgeryToken"]!.GetValue<string>());
            using var response = await mine.SendAsync(change);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        using (var stillIn = await mine.GetAsync("/api/v1/auth/me")) Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        using (var signedOut = await other.GetAsync("/api/v1/auth/me"))
            await Api.Problem(signedOut, HttpStatusCode.Unauthorized, "unauthenticated", "authorization");
    }

    [Fact]
    public async Task An_annotator_loads_the_image_of_the_task_held_and_no_other_file_under_the_root()
    {
        var campaignId = await api.RunningCampaign("images-lease", [0, 1]);
        var annotatorId = await api.QualifiedAnnotator();
        var task = await api.Next(campaignId, annotatorId);
        var imageUrl = task["imageUrl"]!.GetValue<string>();
        var held = imageUrl[(imageUrl.LastIndexOf('/') + 1)..];
        var other = held == "000.jpg" ? "001.jpg" : "000.jpg";
        // The handler signs requests on /annotators/{id}/ paths in as that annotator; reuse its token for the image route.
        using var next = await api.NextResponse(campaignId, annotatorId);
        var token = next.RequestMessage!.Headers.Authorization!.Parameter!;
        using var client = new HttpClient { BaseAddress = fixture.Anonymous.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using (var mine = await client.GetAsync(imageUrl)) Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        using (var notMine = await client.GetAsync($"/api/v1/images/{campaignId}/{other}"))
            await Api.Problem(notMine, HttpStatusCode.Forbidden, "forbidden", "path");
        using (var mask = await client.GetAsync($"/api/v1/images/{campaignId}/..%2Fgt%2F000.png"))
            await Api.Problem(mask, HttpStatusCode.Forbidden, "forbidden", "path");
        // A manager loads any image of the campaign.
        using (var manager = await api.Client.GetAsync($"/api/v1/images/{campaignId}/{other}")) Assert.Equal(HttpStatusCode.OK, manager.StatusCode);
    }
}
