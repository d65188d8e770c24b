using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Backend.Tests.ApiTests;

/// <summary>Images are served from under the campaign's image root only, with caching; the OpenAPI document is served.</summary>
[Collection(ApiCollection.Name)]
public sealed class ImageAndOpenApiTests(GatewayFixture fixture)
{
    readonly Api api = new(fixture.Client);

    static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];
    static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G'];

    /// <summary>Sends <paramref name="pathAndQuery"/> exactly as written (no dot-segment removal or unescaping by the client).</summary>
    async Task<HttpResponseMessage> GetRaw(string pathAndQuery)
    {
        var uri = new Uri(api.Client.BaseAddress!.GetLeftPart(UriPartial.Authority) + pathAndQuery,
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        return await api.Client.GetAsync(uri);
    }

    [Fact]
    public async Task An_image_is_served_as_jpeg_with_caching_headers_and_a_repeat_with_its_etag_is_304()
    {
        var campaignId = Api.NewId("images");
        await api.CreateCampaign(campaignId);
        var url = $"/api/v1/images/{campaignId}/000.jpg";
        var onDisk = await File.ReadAllBytesAsync(Path.Combine(Api.ImageRoot, "000.jpg"));

        using var first = await api.Client.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("image/jpeg", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal(onDisk, await first.Content.ReadAsByteArrayAsync());
        var cache = first.Headers.CacheControl;
        Assert.NotNull(cache);
        Assert.True(cache.MaxAge > TimeSpan.Zero, cache.ToString());
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.NotNull(first.Content.Headers.LastModified);

        using var repeat = new HttpRequestMessage(HttpMethod.Get, url);
        repeat.Headers.IfNoneMatch.Add(etag);
        using var second = await api.Client.SendAsync(repeat);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, url);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"not-the-tag\""));
        using var third = await api.Client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal(onDisk.Length, (await third.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Missing_images_and_unknown_campaigns_are_404_problems()
    {
        var campaignId = Api.NewId("images-missing");
        await api.CreateCampaign(campaignId);

        using (var missing = await api.Client.GetAsync($"/api/v1/images/{campaignId}/999999.jpg"))
            await Api.Problem(missing, HttpStatusCode.NotFound, "not_initialized", "path");
        using (var unknown = await api.Client.GetAsync($"/api/v1/images/{Api.NewId("nope")}/000.jpg"))
            await Api.Problem(unknown, HttpStatusCode.NotFound, "not_initialized", "campaignId");
    }

    public static TheoryData<string> Escapes()
    {
        // The campaign's root is DAVIS img/; gt/000.png next to it is a real image that must not be reachable.
        var gt = Path.GetFullPath(Path.Combine(Api.ImageRoot, "..", "gt", "000.png"));
        return new TheoryData<string>(
            "../gt/000.png",
            "..%2Fgt%2F000.png",
            "%2E%2E/gt/000.png",
            "%2e%2e%2fgt%2f000.png",
            "..%5Cgt%5C000.png",
            "sub/../../gt/000.png",
            "..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
            "../../../../../../../../etc/passwd",
            "%2Fetc%2Fpasswd",
            "/etc/passwd",
            "/" + gt.TrimStart('/'),
            Uri.EscapeDataString(gt),
            "%252E%252E%252Fgt%252F000.png");
    }

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task Paths_leading_outside_the_image_root_are_404_and_never_serve_the_file(string path)
    {
        var campaignId = Api.NewId("images-escape");
        await api.CreateCampaign(campaignId);

        using var response = await GetRaw($"/api/v1/images/{campaignId}/{path}");

        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(bytes.AsSpan().StartsWith(Png) || bytes.AsSpan().StartsWith(Jpeg), "an image file was served");
        Assert.DoesNotContain("root:", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task Symbolic_links_inside_the_root_that_lead_outside_it_are_404()
    {
        var root = Directory.CreateTempSubdirectory("api-image-root-").FullName;
        try
        {
            var gt = Path.GetFullPath(Path.Combine(Api.ImageRoot, "..", "gt"));
            File.Copy(Path.Combine(Api.ImageRoot, "000.jpg"), Path.Combine(root, "000.jpg"));
            Directory.CreateDirectory(Path.Combine(root, "sub"));
            File.CreateSymbolicLink(Path.Combine(root, "sub", "same.jpg"), Path.Combine(root, "000.jpg"));
            File.CreateSymbolicLink(Path.Combine(root, "file-link.png"), Path.Combine(gt, "000.png"));
            Directory.CreateSymbolicLink(Path.Combine(root, "dir-link"), gt);
            Directory.CreateSymbolicLink(Path.Combine(root, "sub", "nested-link"), gt);
            var campaignId = Api.NewId("images-links");
            using (var created = await api.Post("/api/v1/campaigns", new { id = campaignId, imageRoot = root, model = "reference" }))
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            // A link that stays inside the root is fine.
            using (var inside = await api.Client.GetAsync($"/api/v1/images/{campaignId}/sub/same.jpg"))
                Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
            foreach (var path in new[] { "file-link.png", "dir-link/000.png", "sub/nested-link/000.png" })
            {
                using var response = await api.Client.GetAsync($"/api/v1/images/{campaignId}/{path}");
                var bytes = await response.Content.ReadAsByteArrayAsync();
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
                Assert.False(bytes.AsSpan().StartsWith(Png), $"{path}: an image outside the root was served");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task The_openapi_document_is_served_and_lists_the_api_paths()
    {
        var document = await api.Get("/openapi/v1.json");

        Assert.StartsWith("3.", document["openapi"]!.GetValue<string>());
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        string[] expected =
        [
            "/api/v1/campaigns",
            "/api/v1/campaigns/{campaignId}",
            "/api/v1/campaigns/{campaignId}/start",
            "/api/v1/campaigns/{campaignId}/pause",
            "/api/v1/campaigns/{campaignId}/resume",
            "/api/v1/campaigns/{campaignId}/finish",
            "/api/v1/campaigns/{campaignId}/progress",
            "/api/v1/campaigns/{campaignId}/annotators",
            "/api/v1/campaigns/{campaignId}/instances/{instanceId}",
            "/api/v1/campaigns/{campaignId}/imports",
            "/api/v1/campaigns/{campaignId}/export",
            "/api/v1/annotators/{annotatorId}",
            "/api/v1/annotators/{annotatorId}/qualification",
            "/api/v1/campaigns/{campaignId}/annotators/{annotatorId}/next",
            "/api/v1/campaigns/{campaignId}/annotators/{annotatorId}/tasks/{instanceId}/submit",
            "/api/v1/campaigns/{campaignId}/annotators/{annotatorId}/tasks/{instanceId}/skip",
            "/api/v1/campaigns/{campaignId}/annotators/{annotatorId}/tasks/{instanceId}/preview",
            "/api/v1/campaigns/{campaignId}/annotators/{annotatorId}/release",
        ];
        Assert.All(expected, p => Assert.Contains(p, paths));
        Assert.Contains(paths, p => p.StartsWith("/api/v1/images/{campaignId}/", StringComparison.Ordinal));
        var next = document["paths"]!["/api/v1/campaigns/{campaignId}/annotators/{annotatorId}/next"]!.AsObject();
        Assert.True(next.ContainsKey("post"));
        Assert.IsType<JsonObject>(document["paths"]!["/api/v1/campaigns"]!["get"]);
        // Both ways to sign in are declared.
        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("bearer", schemes["bearer"]!["scheme"]!.GetValue<string>());
        Assert.Equal("cookie", schemes["session"]!["in"]!.GetValue<string>());
    }
}
