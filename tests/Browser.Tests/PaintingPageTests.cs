using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Tests;

namespace Browser.Tests;

/// <summary>
/// A painter paints an object's reference mask from scratch on the paint page with the brush, straight lines, fill, the
/// eraser, undo and redo; the mask the manager then reads from the API has exactly the painted pixels.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PaintingPageTests(BrowserFixture fixture)
{
    const int DavisIndex = 4;
    const string NotQualified = "You are not qualified for painting in this campaign; ask a manager.";

    [Fact]
    public async Task Brush_lines_fill_eraser_undo_and_redo_make_the_submitted_reference_mask()
    {
        var campaignId = await PaintingCampaign("paint");
        var (painter, password) = await Painter("painter", campaignId);
        var page = await fixture.NewPage();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        await BrowserFixture.SignIn(page, painter, password);
        await page.ClickAsync($"a.paint-link[data-campaign='{campaignId}']");
        await page.WaitForURLAsync("**/paint.html?campaign=*");
        var instance = await AnnotationPageTests.WaitForTask(page);
        await Assertions.Expect(page.Locator("#class-name")).ToHaveTextAsync("object");
        await Assertions.Expect(page.Locator("#class-policy")).ToContainTextAsync("exclude shadows");
        var canvas = await PaintCanvas.Open(page, DavisIndex);
        await page.FillAsync("#brush-size", "10");

        // A brush stroke dragged fast (two pointer moves over most of the image's width).
        await page.Keyboard.PressAsync("b");
        await canvas.Stroke(2, (0.1, 0.15), (0.9, 0.15));
        // Lines: a polygon cancelled with Escape, then a quadrilateral closed by a click on its first corner.
        await page.Keyboard.PressAsync("l");
        await Assertions.Expect(page.Locator("#tool-lines")).ToHaveAttributeAsync("aria-pressed", "true");
        var painted = await canvas.Count();
        await canvas.Click(0.05, 0.9);
        await canvas.Click(0.2, 0.9);
        await page.Keyboard.PressAsync("Escape");
        Assert.Equal(painted, await canvas.Count());
        foreach (var (u, v) in new[] { (0.1, 0.3), (0.45, 0.3), (0.45, 0.6), (0.1, 0.6) })
            await canvas.Click(u, v);
        await canvas.Click(0.1 + 2.0 / canvas.Width, 0.3 + 2.0 / canvas.Height);
        // A closed ring drawn with the brush, filled inside.
        await page.Keyboard.PressAsync("b");
        await canvas.Stroke(3, (0.6, 0.3), (0.9, 0.3), (0.9, 0.6), (0.6, 0.6), (0.6, 0.3));
        Assert.Equal(0, await canvas.PagePixel(0.75, 0.45));
        await page.Keyboard.PressAsync("f");
        await canvas.Click(0.75, 0.45);
        // The eraser takes a dab out of the first stroke.
        await page.Keyboard.PressAsync("e");
        await canvas.Click(0.3, 0.15);
        // Two strokes, both undone, the first redone.
        await page.Keyboard.PressAsync("b");
        await canvas.Stroke(2, (0.55, 0.8), (0.7, 0.8));
        await canvas.Stroke(2, (0.75, 0.8), (0.9, 0.8));
        await page.Keyboard.PressAsync("Control+z");
        await page.Keyboard.PressAsync("Control+z");
        await page.Keyboard.PressAsync("Control+Shift+z");
        Assert.Equal(1, await canvas.PagePixel(0.62, 0.8));
        Assert.Equal(0, await canvas.PagePixel(0.82, 0.8));
        await BrowserFixture.Screenshot(page, "paint");

        var encoded = await page.EvaluateAsync<string>("() => window.paintPage.encoded().counts");
        await page.ClickAsync("#submit");
        await page.WaitForFunctionAsync("() => document.body.dataset.answered === '1'");
        await Assertions.Expect(page.Locator("#stage-text")).ToContainTextAsync("Nothing to paint right now");

        var reference = await fixture.Admin.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{campaignId}/instances/{instance}/reference");
        Assert.Equal("painted", reference!["source"]!.GetValue<string>());
        var mask = Decode(reference["mask"]!);
        Assert.Equal((canvas.Width, canvas.Height), (mask.Width, mask.Height));
        Assert.Equal(encoded, reference["mask"]!["counts"]!.GetValue<string>());
        AssertPixel(mask, canvas.Pixel(0.5, 0.15), true, "brush stroke");
        AssertPixel(mask, canvas.Pixel(0.77, 0.15), true, "brush stroke between two pointer moves");
        AssertPixel(mask, canvas.Pixel(0.27, 0.45), true, "polygon interior");
        AssertPixel(mask, canvas.Pixel(0.75, 0.45), true, "filled inside the brush ring");
        AssertPixel(mask, canvas.Pixel(0.55, 0.45), false, "between the polygon and the ring");
        AssertPixel(mask, canvas.Pixel(0.3, 0.15), false, "erased");
        AssertPixel(mask, canvas.Pixel(0.82, 0.8), false, "undone stroke");
        AssertPixel(mask, canvas.Pixel(0.62, 0.8), true, "redone stroke");
        AssertPixel(mask, (canvas.Width - 1, canvas.Height - 1), false, "far corner");
        var painting = reference["paintings"]!.AsArray().Single()!;
        Assert.Equal(painter, painting["painter"]!.GetValue<string>());
        Assert.True(painting["secondsSpent"]!.GetValue<double>() > 0);
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_empty_mask_is_refused_on_the_page_and_nothing_is_sent()
    {
        var campaignId = await PaintingCampaign("paintempty");
        var (painter, password) = await Painter("emptypainter", campaignId);
        var page = await fixture.NewPage(1920, 1080);
        var answers = 0;
        page.Request += (_, request) => { if (request.Url.Contains("/paint/") && (request.Url.Contains("/submit") || request.Url.Contains("/skip"))) answers++; };

        await BrowserFixture.SignIn(page, painter, password);
        await page.GotoAsync($"/paint.html?campaign={campaignId}");
        var instance = await AnnotationPageTests.WaitForTask(page);
        await page.ClickAsync("#submit");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Nothing is painted yet");
        await page.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Nothing is painted yet");
        await BrowserFixture.Screenshot(page, "paint-empty-1920");

        Assert.Equal(0, answers);
        Assert.Equal(instance, await page.EvaluateAsync<string>("() => document.body.dataset.instance"));
        using var reference = await fixture.Admin.GetAsync($"/api/v1/campaigns/{campaignId}/instances/{instance}/reference");
        Assert.Equal(HttpStatusCode.NotFound, reference.StatusCode);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_annotator_without_the_painting_qualification_is_told_so()
    {
        var campaignId = await PaintingCampaign("paintqual");
        var (name, password) = await fixture.User("unpainter", "annotator");
        await fixture.AddMember(campaignId, name);
        var page = await fixture.NewPage();

        await BrowserFixture.SignIn(page, name, password);
        await page.GotoAsync($"/paint.html?campaign={campaignId}");
        await Assertions.Expect(page.Locator("#stage-text")).ToHaveTextAsync(NotQualified);
        await Assertions.Expect(page.Locator("#submit")).ToBeDisabledAsync();
        await page.Context.CloseAsync();
    }

    /// <summary>A running campaign of the one DAVIS image <see cref="DavisIndex"/>, every instance of it to be painted.</summary>
    async Task<string> PaintingCampaign(string prefix)
    {
        var campaignId = BrowserFixture.NewId(prefix);
        using (var created = await fixture.Admin.PostAsJsonAsync("/api/v1/campaigns", new
               {
                   id = campaignId, imageRoot = BrowserFixture.ImageRoot, rounds = 1, maxClicksPerRound = 3, model = "reference",
                   referenceFraction = 1.0,
                   classPolicies = new Dictionary<string, string> { ["object"] = "The whole object, including thin parts; exclude shadows." },
               }))
            await BrowserFixture.Ok(created, HttpStatusCode.Created);
        using (var import = await fixture.Admin.PostAsync($"/api/v1/campaigns/{campaignId}/imports?format=coco&onError=reject",
                   new StringContent(BrowserFixture.Coco([DavisIndex]).ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
            await BrowserFixture.Ok(import);
        using (var start = await fixture.Admin.PostAsync($"/api/v1/campaigns/{campaignId}/start", null))
            await BrowserFixture.Ok(start);
        return campaignId;
    }

    /// <summary>An annotator of the campaign with the painting qualification.</summary>
    async Task<(string Name, string Password)> Painter(string prefix, string campaignId)
    {
        var user = await fixture.User(prefix, "annotator");
        using (var qualified = await fixture.Admin.PutAsJsonAsync($"/api/v1/annotators/{user.Name}/qualification", new { painting = true }))
            await BrowserFixture.Ok(qualified);
        await fixture.AddMember(campaignId, user.Name);
        return user;
    }

    static BinaryMask Decode(JsonNode mask)
    {
        var size = mask["size"]!.AsArray();
        return CocoRle.Decode(mask["counts"]!.GetValue<string>(), size[0]!.GetValue<int>(), size[1]!.GetValue<int>());
    }

    static void AssertPixel(BinaryMask mask, (int X, int Y) p, bool expected, string what) =>
        Assert.True(mask[p.X, p.Y] == expected, $"{what}: pixel {p} should be {(expected ? 1 : 0)}");

    /// <summary>
    /// The paint page's canvas driven with the real mouse: points are fractions (u, v) of the image's width and height, put
    /// on the screen by the page's own window.paintPage.toScreen after the view is fitted to the whole image.
    /// </summary>
    sealed class PaintCanvas(IPage page, int width, int height)
    {
        public int Width => width;

        public int Height => height;

        /// <summary>The canvas of the task on <paramref name="target"/>, the DAVIS image <paramref name="image"/>, fitted whole into view.</summary>
        public static async Task<PaintCanvas> Open(IPage target, int image)
        {
            var truth = ImageCodec.ReadMask(TestData.DavisMask(image));
            await target.Keyboard.PressAsync("Shift+Digit0");
            return new PaintCanvas(target, truth.Width, truth.Height);
        }

        public (int X, int Y) Pixel(double u, double v) => ((int)Math.Floor(u * width), (int)Math.Floor(v * height));

        async Task<(float X, float Y)> At(double u, double v)
        {
            var p = await page.EvaluateAsync<double[]>("([x, y]) => { const p = window.paintPage.toScreen(x, y); return [p.x, p.y]; }",
                new[] { u * width, v * height });
            return ((float)p[0], (float)p[1]);
        }

        public async Task Click(double u, double v)
        {
            var (x, y) = await At(u, v);
            await page.Mouse.ClickAsync(x, y);
        }

        /// <summary>Presses at the first point, moves through the others in <paramref name="steps"/> pointer moves each, releases.</summary>
        public async Task Stroke(int steps, params (double U, double V)[] points)
        {
            var (x, y) = await At(points[0].U, points[0].V);
            await page.Mouse.MoveAsync(x, y);
            await page.Mouse.DownAsync();
            foreach (var (u, v) in points.Skip(1))
            {
                (x, y) = await At(u, v);
                await page.Mouse.MoveAsync(x, y, new MouseMoveOptions { Steps = steps });
            }
            await page.Mouse.UpAsync();
        }

        public Task<int> PagePixel(double u, double v)
        {
            var (x, y) = Pixel(u, v);
            return page.EvaluateAsync<int>("([x, y]) => window.paintPage.pixel(x, y)", new[] { x, y });
        }

        public Task<int> Count() => page.EvaluateAsync<int>("() => window.paintPage.count()");
    }
}
