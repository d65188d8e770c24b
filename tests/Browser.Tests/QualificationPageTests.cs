using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Tests;

namespace Browser.Tests;

/// <summary>
/// The automated qualification test on qualify.html: an annotator without the qualification opens it from My campaigns,
/// answers each object, sees it scored against the reference, fails, retries at once and passes, and then holds the
/// qualification. Both kinds: corrective clicks and painting.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class QualificationPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Wrong_way_clicks_fail_the_corrective_test_and_right_ones_pass_it_on_a_retry()
    {
        // Objects whose box centre lies deep inside the object, so that a click there is judged (no background within
        // 2 px of it) and its right label is "object".
        var images = Enumerable.Range(0, 40).Where(i => CentreInside(ImageCodec.ReadMask(TestData.DavisMask(i)), 4)).Take(2).ToArray();
        Assert.Equal(2, images.Length);
        var coco = BrowserFixture.Coco(images);
        var campaignId = await fixture.RunningCampaign("qualcorr", BrowserFixture.ImageRoot, coco, images.Length, rounds: 1, clicks: 3,
            referenceFraction: 1);
        await fixture.PaintReferences(campaignId, BrowserFixture.Truths(coco, images));
        // Test items are finished objects: those who take the test see their references.
        await fixture.AcceptAll(campaignId);
        // Any mean IoU passes; the clicks' polarity decides. No wait before a retry.
        await SetTest("corrective", new { items = Items(campaignId, images.Length), minMeanIoU = 0.0, minRightPolarityShare = 0.9, retryAfterMinutes = 0 });

        var (name, password) = await fixture.User("qualcorrective", "annotator", qualified: false);
        var page = await fixture.NewPage();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await BrowserFixture.SignIn(page, name, password);
        await page.ClickAsync("#take-corrective-test");
        await page.WaitForURLAsync("**/qualify.html?kind=corrective");
        await WaitForState(page, "intro");
        await Assertions.Expect(page.Locator("#intro-what")).ToContainTextAsync("2 objects");
        await BrowserFixture.Screenshot(page, "qualify-corrective-intro");

        // First attempt: a background click (Shift) at each object's centre, the wrong way.
        await page.ClickAsync("#start");
        for (var item = 0; item < images.Length; item++)
        {
            await WaitForState(page, "item", item);
            await Assertions.Expect(page.Locator("#item-line")).ToHaveTextAsync($"Object {item + 1} of 2");
            await ClickCentre(page, background: true);
            await page.WaitForFunctionAsync("() => Number(document.body.dataset.previewSeq) >= 1");
            await page.ClickAsync("#submit");
            await WaitForState(page, "feedback", item);
            await Assertions.Expect(page.Locator("#feedback-clicks li[data-verdict='contradicts']")).ToHaveCountAsync(1);
            Assert.True(await page.EvaluateAsync<int>("() => window.qualifyPage.feedback().suggestedClicks.length") > 0,
                "the feedback shows where clicks should have gone");
            await Assertions.Expect(page.Locator("#feedback-suggested")).ToContainTextAsync("Hollow rings");
            if (item == 0) await BrowserFixture.Screenshot(page, "qualify-corrective-feedback");
            await page.Keyboard.PressAsync("Enter");
        }
        await WaitForState(page, "result");
        await Assertions.Expect(page.Locator("#result-title")).ToHaveTextAsync("Failed");
        await Assertions.Expect(page.Locator("#retry")).ToBeEnabledAsync();
        await BrowserFixture.Screenshot(page, "qualify-corrective-failed");

        // The retry (no wait): a foreground click at each object's centre.
        await page.ClickAsync("#retry");
        for (var item = 0; item < images.Length; item++)
        {
            await WaitForState(page, "item", item);
            await ClickCentre(page, background: false);
            await page.WaitForFunctionAsync("() => Number(document.body.dataset.previewSeq) >= 1");
            await page.ClickAsync("#submit");
            await WaitForState(page, "feedback", item);
            await Assertions.Expect(page.Locator("#feedback-clicks li[data-verdict='contradicts']")).ToHaveCountAsync(0);
            await page.ClickAsync("#next");
        }
        await WaitForState(page, "result");
        await Assertions.Expect(page.Locator("#result-title")).ToHaveTextAsync("Passed");
        await BrowserFixture.Screenshot(page, "qualify-corrective-passed");

        var annotator = await fixture.Admin.GetFromJsonAsync<JsonObject>($"/api/v1/annotators/{name}");
        Assert.True(annotator!["qualified"]!.GetValue<bool>());
        // The test's campaign is finished (its objects are test items); real work comes from another one.
        var work = await fixture.RunningCampaign("afterqual", [3]);
        await fixture.AddMember(work, name);
        using (var client = await fixture.Client((name, password)))
        {
            var task = await BrowserFixture.Ok(await client.PostAsync($"/api/v1/campaigns/{work}/tasks/next", null));
            Assert.False(string.IsNullOrEmpty(task["instanceId"]?.GetValue<string>()));
        }
        // My campaigns now offers Annotate instead of the test.
        await page.GotoAsync("/index.html");
        await Assertions.Expect(page.Locator($"a.annotate-link[data-campaign='{work}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#take-corrective-test")).ToHaveCountAsync(0);
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_dab_fails_the_painting_test_and_the_box_painted_with_lines_passes_it()
    {
        // An object that fills at least 65% of its box. The Lines polygon through the box's corners paints exactly the box's
        // pixels (a pixel is painted when its centre is inside), and the object lies inside its box, so that painting's IoU
        // with the reference (the true mask) is the object's share of the box, at least 0.65: certainly over the 0.5 needed.
        // A dab of the 12 px brush covers about 113 pixels of an object of thousands: an IoU far below 0.5.
        var image = Enumerable.Range(0, 40).First(i => BoxFill(ImageCodec.ReadMask(TestData.DavisMask(i))) >= 0.65);
        var coco = BrowserFixture.Coco([image]);
        var campaignId = await fixture.RunningCampaign("qualpaint", BrowserFixture.ImageRoot, coco, 1, rounds: 1, clicks: 3, referenceFraction: 1);
        await fixture.PaintReferences(campaignId, BrowserFixture.Truths(coco, [image]));
        await fixture.AcceptAll(campaignId);
        await SetTest("painting", new { items = Items(campaignId, 1), minMeanIoU = 0.5, retryAfterMinutes = 0 });

        // Qualified for corrective clicks, not for painting.
        var (name, password) = await fixture.User("qualpainter", "annotator");
        var page = await fixture.NewPage(1920, 1080);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await BrowserFixture.SignIn(page, name, password);
        await page.ClickAsync("#take-painting-test");
        await page.WaitForURLAsync("**/qualify.html?kind=painting");
        await WaitForState(page, "intro");
        await page.ClickAsync("#start");

        // A dab of the brush in the middle.
        await WaitForState(page, "item", 0);
        await page.Keyboard.PressAsync("b");
        await ClickCentre(page, background: false);
        Assert.True(await page.EvaluateAsync<int>("() => window.paintPage.count()") > 0);
        await page.ClickAsync("#submit");
        await WaitForState(page, "feedback", 0);
        Assert.True(await page.EvaluateAsync<double>("() => window.qualifyPage.feedback().iou") < 0.5);
        await page.ClickAsync("#next");
        await WaitForState(page, "result");
        await Assertions.Expect(page.Locator("#result-title")).ToHaveTextAsync("Failed");
        await BrowserFixture.Screenshot(page, "qualify-painting-failed");

        // The retry: the box as a Lines polygon, closed with Enter.
        await page.ClickAsync("#retry");
        await WaitForState(page, "item", 0);
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.paintPage.count()"));
        await page.Keyboard.PressAsync("l");
        var box = await page.EvaluateAsync<double[]>("() => { const b = window.qualifyPage.item().box; return [b.x0, b.y0, b.x1, b.y1]; }");
        foreach (var (x, y) in new[] { (box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3]) })
        {
            var p = await page.EvaluateAsync<double[]>("([x, y]) => { const p = window.paintPage.toScreen(x, y); return [p.x, p.y]; }", new[] { x, y });
            await page.Mouse.ClickAsync((float)p[0], (float)p[1]);
        }
        await page.Keyboard.PressAsync("Enter");
        var boxArea = (box[2] - box[0]) * (box[3] - box[1]);
        var painted = await page.EvaluateAsync<int>("() => window.paintPage.count()");
        Assert.True(Math.Abs(painted - boxArea) < 0.02 * boxArea, $"painted {painted} pixels of a box of {boxArea}");
        await BrowserFixture.Screenshot(page, "qualify-painting-polygon");
        await page.ClickAsync("#submit");
        await WaitForState(page, "feedback", 0);
        Assert.True(await page.EvaluateAsync<double>("() => window.qualifyPage.feedback().iou") >= 0.6);
        await BrowserFixture.Screenshot(page, "qualify-painting-feedback");
        await page.Keyboard.PressAsync("Enter");
        await WaitForState(page, "result");
        await Assertions.Expect(page.Locator("#result-title")).ToHaveTextAsync("Passed");

        var annotator = await fixture.Admin.GetFromJsonAsync<JsonObject>($"/api/v1/annotators/{name}");
        Assert.True(annotator!["paintingQualified"]!.GetValue<bool>());
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    /// <summary>The manager's test of <paramref name="kind"/>, replacing any earlier one.</summary>
    async Task SetTest(string kind, object test)
    {
        using var response = await fixture.Admin.PutAsJsonAsync($"/api/v1/qualifications/{kind}", test);
        await BrowserFixture.Ok(response);
    }

    /// <summary>The campaign's instances 1..count (the ids <see cref="BrowserFixture.Coco"/> gives) as test items.</summary>
    static object[] Items(string campaignId, int count) =>
        Enumerable.Range(1, count).Select(i => (object)new { campaignId, instanceId = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToArray();

    static Task WaitForState(IPage page, string state, int? item = null) =>
        page.WaitForFunctionAsync($"() => document.body.dataset.qualifyState === '{state}'"
            + (item is null ? "" : $" && document.body.dataset.item === '{item}'"));

    /// <summary>A click (with Shift: a background click) at the centre of the item's box, put on the screen by the page.</summary>
    static async Task ClickCentre(IPage page, bool background)
    {
        var p = await page.EvaluateAsync<double[]>(
            "() => { const b = window.qualifyPage.item().box; const p = window.qualifyPage.toScreen((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2); return [p.x, p.y]; }");
        if (background) await page.Keyboard.DownAsync("Shift");
        await page.Mouse.ClickAsync((float)p[0], (float)p[1]);
        if (background) await page.Keyboard.UpAsync("Shift");
    }

    /// <summary>Whether every pixel within <paramref name="radius"/> of the mask's box centre is an object pixel.</summary>
    static bool CentreInside(BinaryMask mask, int radius)
    {
        var b = mask.BoundingBox()!.Value;
        var (cx, cy) = ((int)Math.Floor(b.X + b.Width / 2.0), (int)Math.Floor(b.Y + b.Height / 2.0));
        for (var y = cy - radius; y <= cy + radius; y++)
            for (var x = cx - radius; x <= cx + radius; x++)
                if (!mask.Contains(x, y) || !mask[x, y]) return false;
        return true;
    }

    /// <summary>The object's share of its bounding box.</summary>
    static double BoxFill(BinaryMask mask)
    {
        var b = mask.BoundingBox()!.Value;
        return (double)mask.Area() / ((long)b.Width * b.Height);
    }
}
