using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApiGateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Tests;

namespace Browser.Tests;

/// <summary>
/// The real gateway (co-hosted silo, SQLite in a temporary folder) on a loopback port, and Debian's Chromium driven by
/// Playwright. Accounts and campaigns are set up through the API as the admin; the pages are then used as a person would.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string AdminPassword = "browser-admin-password";
    public const string ChromiumPath = "/usr/bin/chromium";

    readonly string dataFolder = Directory.CreateTempSubdirectory("annotation-browser-").FullName;
    WebApplication? app;
    IPlaywright? playwright;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public static string ImageRoot => Path.Combine(TestData.DavisDirectory, "img");

    /// <summary>Where the screenshots of the pages go (a test artefact).</summary>
    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: run scripts/setup.sh (it installs Debian's chromium).");
        using var siloPort = new PortLease();
        using var gatewayPort = new PortLease();
        var silo = siloPort.Port;
        var gateway = gatewayPort.Port;
        siloPort.Dispose();
        gatewayPort.Dispose();
        app = Gateway.Build(
        [
            "--urls", "http://127.0.0.1:0", "--data", dataFolder,
            "--Orleans:SiloPort", silo.ToString(), "--Orleans:GatewayPort", gateway.ToString(),
            "--admin-password", AdminPassword, "--image-roots", string.Join(Path.PathSeparator, TestData.DavisDirectory, Path.GetTempPath()),
            // The tests sign in dozens of times a minute from one address; the limit itself is tested in Backend.Tests.
            "--RateLimit:SignInPerMinute", "10000",
        ]);
        await app.StartAsync();
        BaseAddress = new Uri(app.Urls.Single());
        using var anonymous = new HttpClient { BaseAddress = BaseAddress };
        Admin = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Token(anonymous, "admin", AdminPassword));

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        playwright?.Dispose();
        Admin?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dataFolder, recursive: true);
    }

    public static async Task<string> Token(HttpClient anonymous, string userName, string password)
    {
        using var response = await anonymous.PostAsJsonAsync("/api/v1/auth/tokens", new { userName, password });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"token for {userName}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!["token"]!.GetValue<string>();
    }

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    /// <summary>
    /// A new account with a random password; annotators get the corrective-click qualification unless
    /// <paramref name="qualified"/> is false (they then have to pass the qualification test).
    /// </summary>
    public async Task<(string Name, string Password)> User(string prefix, string role, bool qualified = true)
    {
        var name = NewId(prefix);
        var password = Guid.NewGuid().ToString("N");
        using (var created = await Admin.PostAsJsonAsync("/api/v1/users", new { userName = name, password, role }))
            await Ok(created, HttpStatusCode.Created);
        if (role == "annotator" && qualified)
            using (var granted = await Admin.PutAsJsonAsync($"/api/v1/annotators/{name}/qualification", new { qualified = true }))
                await Ok(granted);
        return (name, password);
    }

    /// <summary>An API client signed in as <paramref name="user"/> with a bearer token.</summary>
    public async Task<HttpClient> Client((string Name, string Password) user)
    {
        using var anonymous = new HttpClient { BaseAddress = BaseAddress };
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Token(anonymous, user.Name, user.Password));
        return client;
    }

    public async Task AddMember(string campaignId, string userName)
    {
        using var member = await Admin.PutAsync($"/api/v1/campaigns/{campaignId}/members/{userName}", null);
        await Ok(member);
    }

    /// <summary>A COCO instances file of the DAVIS objects <paramref name="images"/>, with annotation ids 1..n.</summary>
    public static JsonObject Coco(IReadOnlyList<int> images)
    {
        var imageList = new JsonArray();
        var annotations = new JsonArray();
        for (var i = 0; i < images.Count; i++)
        {
            var gt = ImageCodec.ReadMask(TestData.DavisMask(images[i]));
            var b = gt.BoundingBox()!.Value;
            imageList.Add(new JsonObject { ["id"] = i + 1, ["file_name"] = $"{images[i]:D3}.jpg", ["width"] = gt.Width, ["height"] = gt.Height });
            annotations.Add(new JsonObject
            {
                ["id"] = i + 1, ["image_id"] = i + 1, ["category_id"] = 1, ["bbox"] = new JsonArray(b.X, b.Y, b.Width, b.Height),
            });
        }
        return new JsonObject
        {
            ["images"] = imageList,
            ["categories"] = new JsonArray(new JsonObject { ["id"] = 1, ["name"] = "object" }),
            ["annotations"] = annotations,
        };
    }

    /// <summary>The true masks of the DAVIS objects <paramref name="images"/> by the instance ids <see cref="Coco"/> gave them.</summary>
    public static Dictionary<string, BinaryMask> Truths(JsonObject coco, IReadOnlyList<int> images) =>
        coco["annotations"]!.AsArray().Zip(images)
            .ToDictionary(p => p.First!["id"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture),
                p => ImageCodec.ReadMask(TestData.DavisMask(p.Second)));

    /// <summary>
    /// A new painter (an annotator with the painting qualification, a member of the campaign) paints every painting task of
    /// the campaign through the painting API with the object's true mask from <paramref name="truths"/> (by instance id),
    /// so each painted instance has that mask as its reference. Answers the painter.
    /// </summary>
    public async Task<(string Name, string Password)> PaintReferences(string campaignId, IReadOnlyDictionary<string, BinaryMask> truths)
    {
        var painter = await User("painter", "annotator");
        await AddMember(campaignId, painter.Name);
        using (var granted = await Admin.PutAsJsonAsync($"/api/v1/annotators/{painter.Name}/qualification", new { painting = true }))
            await Ok(granted);
        using var client = await Client(painter);
        while (true)
        {
            using var next = await client.PostAsync($"/api/v1/campaigns/{campaignId}/paint/next", null);
            if (next.StatusCode == HttpStatusCode.NoContent) break;
            var task = await Ok(next);
            var truth = truths[task["instanceId"]!.GetValue<string>()];
            using var painted = await client.PostAsJsonAsync($"/api/v1/campaigns/{campaignId}/paint/{task["instanceId"]}/submit", new
            {
                submissionId = Guid.NewGuid().ToString("N"), secondsSpent = 30.0,
                mask = new { size = new[] { truth.Height, truth.Width }, counts = CocoRle.Encode(truth) },
            });
            await Ok(painted);
        }
        return painter;
    }

    /// <summary>An annotator accepts every task of the campaign as it is (0 clicks), until none is left.</summary>
    public async Task AcceptAll(string campaignId)
    {
        var annotator = await User("accepter", "annotator");
        await AddMember(campaignId, annotator.Name);
        using var client = await Client(annotator);
        while (true)
        {
            using var next = await client.PostAsync($"/api/v1/campaigns/{campaignId}/tasks/next", null);
            if (next.StatusCode == HttpStatusCode.NoContent) return;
            var task = await Ok(next);
            using var accepted = await client.PostAsJsonAsync($"/api/v1/campaigns/{campaignId}/tasks/{task["instanceId"]}/submit",
                new { submissionId = Guid.NewGuid().ToString("N"), round = task["round"]!.GetValue<int>(), clicks = Array.Empty<object>(), secondsSpent = 1.0 });
            await Ok(accepted);
        }
    }

    /// <summary>A running campaign with the DAVIS objects <paramref name="images"/>, once every instance waits in round 1.</summary>
    public Task<string> RunningCampaign(string prefix, IReadOnlyList<int> images, string model = "reference", int rounds = 2, int clicks = 3) =>
        RunningCampaign(prefix, ImageRoot, Coco(images), images.Count, model, rounds, clicks);

    /// <summary>A running campaign on the COCO file <paramref name="coco"/> under <paramref name="imageRoot"/>, once every instance waits in round 1.</summary>
    public async Task<string> RunningCampaign(string prefix, string imageRoot, JsonObject coco, int count, string model = "reference", int rounds = 2, int clicks = 3,
        double groundTruthFraction = 0, double referenceFraction = 0, double goldRate = 0)
    {
        var campaignId = NewId(prefix);
        using (var created = await Admin.PostAsJsonAsync("/api/v1/campaigns", new
               {
                   id = campaignId, imageRoot, rounds, maxClicksPerRound = clicks, model, groundTruthFraction, referenceFraction, goldRate,
                   classPolicies = new Dictionary<string, string> { ["object"] = "The whole object, including thin parts; exclude shadows." },
               }))
            await Ok(created, HttpStatusCode.Created);
        using (var import = await Admin.PostAsync($"/api/v1/campaigns/{campaignId}/imports?format=coco&onError=reject",
                   new StringContent(coco.ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
            await Ok(import);
        using (var start = await Admin.PostAsync($"/api/v1/campaigns/{campaignId}/start", null))
            await Ok(start);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            var progress = await Admin.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{campaignId}/progress");
            var waiting = progress!["rounds"]!.AsArray().Single(r => r!["round"]!.GetValue<int>() == 1)!["waiting"]!.GetValue<int>();
            if (progress["model"]!["pending"]!.GetValue<int>() == 0 && waiting == count) return campaignId;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Campaign {campaignId} never had every instance waiting: {progress.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    public static async Task<JsonObject> Ok(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode} {text}");
        return text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>A browser context of its own (cookies included) at the given window size.</summary>
    public async Task<IPage> NewPage(int width = 1366, int height = 768)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
            BaseURL = BaseAddress.ToString(),
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        return page;
    }

    public static async Task SignIn(IPage page, string userName, string password)
    {
        await page.GotoAsync("/login.html");
        await page.FillAsync("#user-name", userName);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#sign-in");
        try
        {
            await Assertions.Expect(page).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/login\.html"), new() { Timeout = 30_000 });
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException($"{userName} was not signed in; the page says: {await page.Locator("#login-error").TextContentAsync()}", e);
        }
    }

    public static Task Screenshot(IPage page, string name, bool fullPage = false) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = fullPage });

    /// <summary>A free loopback port (held until disposed, then given to the silo).</summary>
    sealed class PortLease : IDisposable
    {
        readonly System.Net.Sockets.TcpListener listener = new(IPAddress.Loopback, 0);

        public PortLease() => listener.Start();

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        public void Dispose() => listener.Stop();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
