using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Browser.Tests;

/// <summary>An annotator works through tasks in the annotation page with the reference model.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AnnotationPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Clicks_undo_live_mask_submit_done_and_skip_end_to_end()
    {
        var campaignId = await fixture.RunningCampaign("page", [0, 1, 2]);
        var (name, password) = await fixture.User("annotator", "annotator");
        await fixture.AddMember(campaignId, name);
        var page = await fixture.NewPage();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        await BrowserFixture.SignIn(page, name, password);
        await page.ClickAsync($"a.annotate-link[data-campaign='{campaignId}']");
        await page.WaitForURLAsync("**/annotate.html?campaign=*");
        var first = await WaitForTask(page);
        await Assertions.Expect(page.Locator("#class-name")).ToHaveTextAsync("object");
        await Assertions.Expect(page.Locator("#class-policy")).ToContainTextAsync("exclude shadows");
        await Assertions.Expect(page.Locator("#click-counter")).ToContainTextAsync("0 of 3");

        // Foreground click in the middle of the box, a background click (Shift), then undo the second.
        var canvas = await page.Locator("#image-canvas").BoundingBoxAsync();
        var (cx, cy) = (canvas!.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
        await page.Mouse.MoveAsync(cx - 30, cy - 20);
        await page.Mouse.ClickAsync(cx, cy);
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.previewSeq) >= 1");
        await page.Keyboard.DownAsync("Shift");
        await page.Mouse.ClickAsync(cx + 15, cy + 10);
        await page.Keyboard.UpAsync("Shift");
        await Assertions.Expect(page.Locator("#click-counter")).ToContainTextAsync("2 of 3");
        await page.Keyboard.PressAsync("z");
        await Assertions.Expect(page.Locator("#click-counter")).ToContainTextAsync("1 of 3");
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.previewSeq) >= 2");
        await Assertions.Expect(page.Locator("#model-time")).ToContainTextAsync("ms");
        await BrowserFixture.Screenshot(page, "annotate");

        // Submit: the next object is drawn without another request from the page.
        await page.ClickAsync("#submit");
        var second = await WaitForTask(page, notInstance: first);
        Assert.NotEqual(first, second);

        // Done with 0 clicks (the key D), then a skip with a reason.
        await page.Keyboard.PressAsync("d");
        var third = await WaitForTask(page, notInstance: second);
        await page.SelectOptionAsync("#skip-reason", "too_small");
        await page.ClickAsync("#skip");
        await page.WaitForFunctionAsync($"() => document.body.dataset.instance !== '{third}'");
        await BrowserFixture.Screenshot(page, "annotate-after-skip");

        var answers = new Dictionary<string, JsonObject>();
        foreach (var id in new[] { first, second, third })
        {
            var instance = await fixture.Admin.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{campaignId}/instances/{id}");
            answers[id] = instance!["answers"]!.AsArray().Single()!.AsObject();
        }
        Assert.Equal(1, answers[first]["clickCount"]!.GetValue<int>());
        Assert.Equal(name, answers[first]["annotatorId"]!.GetValue<string>());
        Assert.True(answers[first]["secondsSpent"]!.GetValue<double>() > 0);
        Assert.True(answers[first]["trajectory"]!["samples"]!.AsArray().Count >= 3, "the mouse trajectory is stored with the round");
        Assert.Equal(0, answers[second]["clickCount"]!.GetValue<int>());
        Assert.False(answers[second]["skipped"]!.GetValue<bool>());
        Assert.True(answers[third]["skipped"]!.GetValue<bool>());
        Assert.Equal("too_small", answers[third]["skipReason"]!.GetValue<string>());
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_page_works_on_a_4K_screen()
    {
        var campaignId = await fixture.RunningCampaign("page4k", [3]);
        var (name, password) = await fixture.User("annotator4k", "annotator");
        await fixture.AddMember(campaignId, name);
        var page = await fixture.NewPage(3840, 2160);

        await BrowserFixture.SignIn(page, name, password);
        await page.GotoAsync($"/annotate.html?campaign={campaignId}");
        await WaitForTask(page);
        var canvas = await page.Locator("#image-canvas").BoundingBoxAsync();
        Assert.True(canvas!.Width > 2000, $"the canvas is {canvas.Width} px wide on a 3840 px window");
        await Assertions.Expect(page.Locator("#submit")).ToBeVisibleAsync();
        await BrowserFixture.Screenshot(page, "annotate-4k");
        await page.Context.CloseAsync();
    }

    /// <summary>Waits until a task other than <paramref name="notInstance"/> is drawn; answers its instance id.</summary>
    public static async Task<string> WaitForTask(IPage page, string? notInstance = null)
    {
        var condition = notInstance is null
            ? "() => document.body.dataset.instance !== undefined"
            : $"() => document.body.dataset.instance !== undefined && document.body.dataset.instance !== '{notInstance}'";
        await page.WaitForFunctionAsync(condition);
        return await page.EvaluateAsync<string>("() => document.body.dataset.instance");
    }
}
