using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Segmentation.Imaging;
using Segmentation.Tests;

namespace Backend.Tests.ApiTests;

/// <summary>One gateway for every API test: the tests of the collection run one after the other against it.</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "ApiTests";
}

/// <summary>A DAVIS dev-set object: image size and the bounding box of its ground-truth mask, in pixels.</summary>
public sealed record DavisObject(int Index, int Width, int Height, int X, int Y, int W, int H)
{
    public string FileName => $"{Index:D3}.jpg";

    public (double X, double Y) Center => (X + W / 2.0, Y + H / 2.0);
}

/// <summary>HTTP helpers over the real gateway: campaigns with COCO imports, annotators, and problem+json checks.</summary>
public sealed class Api(HttpClient client)
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    static readonly ConcurrentDictionary<int, DavisObject> Objects = new();

    public HttpClient Client => client;

    public static readonly System.Text.Json.JsonSerializerOptions WebJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    public static string ImageRoot => Path.Combine(TestData.DavisDirectory, "img");

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static DavisObject Davis(int index) => Objects.GetOrAdd(index, i =>
    {
        var gt = ImageCodec.ReadMask(TestData.DavisMask(i));
        var b = gt.BoundingBox()!.Value;
        return new DavisObject(i, gt.Width, gt.Height, b.X, b.Y, b.Width, b.Height);
    });

    // ---- requests ----

    public Task<HttpResponseMessage> Post(string url, object body) => client.PostAsJsonAsync(url, body);

    public Task<HttpResponseMessage> PostRaw(string url, string body, string mediaType = "application/json") =>
        client.PostAsync(url, new StringContent(body, Encoding.UTF8, mediaType));

    public async Task<JsonObject> Get(string url)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> Ok(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage?.RequestUri}: expected 200, got {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Asserts an RFC 7807 answer with the given status, <c>code</c> and <c>field</c>; returns its body.</summary>
    public static async Task<JsonObject> Problem(HttpResponseMessage response, HttpStatusCode status, string code, string? field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, body["status"]!.GetValue<int>());
        Assert.Equal(code, body["code"]?.GetValue<string>());
        if (field is not null) Assert.Equal(field, body["field"]?.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(body["title"]?.GetValue<string>()), text);
        return body;
    }

    // ---- campaigns ----

    public async Task CreateCampaign(string campaignId, int rounds = 2, int maxClicksPerRound = 3, double leaseSeconds = 600, int shards = 1)
    {
        using var created = await Post("/api/v1/campaigns", new
        {
            id = campaignId, imageRoot = ImageRoot, rounds, maxClicksPerRound, model = "reference", shards, leaseSeconds,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    /// <summary>A COCO instances file with annotation ids "1".."n" on the DAVIS images <paramref name="images"/>.</summary>
    public static JsonObject Coco(params int[] images)
    {
        var coco = new JsonObject
        {
            ["images"] = new JsonArray(),
            ["categories"] = new JsonArray(new JsonObject { ["id"] = 1, ["name"] = "object" }),
            ["annotations"] = new JsonArray(),
        };
        for (var i = 0; i < images.Length; i++) AddAnnotation(coco, i + 1, images[i]);
        return coco;
    }

    /// <summary>Adds the DAVIS object of image <paramref name="image"/> (and the image, once) as annotation <paramref name="id"/>.</summary>
    public static JsonObject AddAnnotation(JsonObject coco, int id, int image)
    {
        var o = Davis(image);
        var imageList = coco["images"]!.AsArray();
        if (!imageList.Any(e => e!["id"]!.GetValue<int>() == image + 1))
            imageList.Add(new JsonObject { ["id"] = image + 1, ["file_name"] = o.FileName, ["width"] = o.Width, ["height"] = o.Height });
        var annotation = new JsonObject
        {
            ["id"] = id, ["image_id"] = image + 1, ["category_id"] = 1, ["bbox"] = new JsonArray(o.X, o.Y, o.W, o.H),
        };
        coco["annotations"]!.AsArray().Add(annotation);
        return annotation;
    }

    public Task<HttpResponseMessage> Import(string campaignId, string body, string format = "coco", string onError = "reject", string mediaType = "application/json") =>
        PostRaw($"/api/v1/campaigns/{campaignId}/imports?format={format}&onError={onError}", body, mediaType);

    public async Task Start(string campaignId)
    {
        using var start = await client.PostAsync($"/api/v1/campaigns/{campaignId}/start", null);
        await Ok(start);
    }

    /// <summary>
    /// A running campaign with the DAVIS objects of <paramref name="images"/> as instances "1".."n", once every round-0
    /// mask exists and every instance waits in round 1.
    /// </summary>
    public async Task<string> RunningCampaign(string prefix, int[] images, int rounds = 2, int maxClicksPerRound = 3, double leaseSeconds = 600)
    {
        var campaignId = NewId(prefix);
        await CreateCampaign(campaignId, rounds, maxClicksPerRound, leaseSeconds);
        using var import = await Import(campaignId, Coco(images).ToJsonString());
        var report = await Ok(import);
        Assert.Equal(images.Length, report["imported"]!.GetValue<int>());
        await Start(campaignId);
        await WaitUntilWaiting(campaignId, round: 1, images.Length);
        return campaignId;
    }

    /// <summary>Polls progress until no model work is pending and <paramref name="count"/> instances wait in <paramref name="round"/>.</summary>
    public async Task<JsonObject> WaitUntilWaiting(string campaignId, int round, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var progress = await Progress(campaignId);
            var waiting = progress["rounds"]!.AsArray().Single(r => r!["round"]!.GetValue<int>() == round)!["waiting"]!.GetValue<int>();
            if (progress["model"]!["pending"]!.GetValue<int>() == 0 && waiting == count) return progress;
            Assert.Equal(0, progress["model"]!["failed"]!.GetValue<int>());
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Campaign {campaignId} never had {count} instances waiting in round {round}: {progress.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    public Task<JsonObject> Progress(string campaignId) => Get($"/api/v1/campaigns/{campaignId}/progress");

    public Task<JsonObject> Campaign(string campaignId) => Get($"/api/v1/campaigns/{campaignId}");

    public Task<JsonObject> Instance(string campaignId, string instanceId) => Get($"/api/v1/campaigns/{campaignId}/instances/{instanceId}");

    /// <summary>The parts of an instance an answer would change: status, round, lease holder, masks, clicks and answers.</summary>
    public async Task<string> InstanceState(string campaignId, string instanceId)
    {
        var i = await Instance(campaignId, instanceId);
        return new JsonObject
        {
            ["status"] = i["status"]!.DeepClone(), ["currentRound"] = i["currentRound"]!.DeepClone(), ["leasedTo"] = i["leasedTo"]?.DeepClone(),
            ["masks"] = i["masks"]!.DeepClone(), ["clicks"] = i["clicks"]!.DeepClone(), ["answers"] = i["answers"]!.DeepClone(),
        }.ToJsonString();
    }

    // ---- annotators ----

    public async Task<string> QualifiedAnnotator(string prefix = "ann")
    {
        var annotatorId = NewId(prefix);
        using (var created = await Post("/api/v1/users", new { userName = annotatorId, password = Guid.NewGuid().ToString("N"), role = "annotator" }))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var qualify = await client.PutAsJsonAsync($"/api/v1/annotators/{annotatorId}/qualification", new { qualified = true });
        await Ok(qualify);
        return annotatorId;
    }

    public Task<HttpResponseMessage> NextResponse(string campaignId, string annotatorId) =>
        client.PostAsync($"/api/v1/campaigns/{campaignId}/annotators/{annotatorId}/next", null);

    public async Task<JsonObject> Next(string campaignId, string annotatorId)
    {
        using var next = await NextResponse(campaignId, annotatorId);
        return await Ok(next);
    }

    public static string TaskUrl(string campaignId, string annotatorId, string instanceId, string action) =>
        $"/api/v1/campaigns/{campaignId}/annotators/{annotatorId}/tasks/{instanceId}/{action}";

    public Task<HttpResponseMessage> Submit(string campaignId, string annotatorId, string instanceId, int round, object[] clicks, string? submissionId = null, double secondsSpent = 2.5) =>
        Post(TaskUrl(campaignId, annotatorId, instanceId, "submit"),
            new { submissionId = submissionId ?? Guid.NewGuid().ToString("N"), round, clicks, secondsSpent });

    public static object Click(double x, double y, string label = "foreground") => new { x, y, label };

    /// <summary>The annotator's statistics in the campaign's annotator list (null when the annotator is not listed).</summary>
    public async Task<JsonObject?> Statistics(string campaignId, string annotatorId)
    {
        var list = await Get($"/api/v1/campaigns/{campaignId}/annotators");
        var entry = list["annotators"]!.AsArray().SingleOrDefault(a => a!["id"]!.GetValue<string>() == annotatorId);
        return entry?["statistics"]!.AsObject();
    }
}
