using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Browser.Tests;

/// <summary>
/// A painter paints every object through the API; an annotator then works on the annotation page, where half the tasks
/// are gold, looking just like the others; the gold answer is scored and the manager sees it on the dashboard.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class GoldTaskTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_gold_task_answered_on_the_annotation_page_is_scored_and_shown_on_the_dashboard()
    {
        var images = Enumerable.Range(80, 16).ToArray();
        var coco = BrowserFixture.Coco(images);
        var campaignId = await fixture.RunningCampaign("gold", BrowserFixture.ImageRoot, coco, images.Length, rounds: 1, clicks: 4,
            referenceFraction: 1, goldRate: 0.5);
        await fixture.PaintReferences(campaignId, BrowserFixture.Truths(coco, images));

        var (name, password) = await fixture.User("goldannotator", "annotator");
        await fixture.AddMember(campaignId, name);
        var page = await fixture.NewPage();
        await BrowserFixture.SignIn(page, name, password);
        await page.GotoAsync($"/annotate.html?campaign={campaignId}");
        JsonObject? mine = null;
        for (var k = 0; k < images.Length && mine?["goldAnswers"]?.GetValue<long>() is not > 0; k++)
        {
            // A new task resets the preview count; its id is set once it is drawn.
            await page.WaitForFunctionAsync("() => document.body.dataset.previewSeq === '0' && document.body.dataset.instance !== undefined");
            await Assertions.Expect(page.Locator("#round-label")).ToHaveTextAsync("Round 1");
            var canvas = await page.Locator("#image-canvas").BoundingBoxAsync();
            await page.Mouse.ClickAsync(canvas!.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
            await page.WaitForFunctionAsync("() => Number(document.body.dataset.previewSeq) >= 1");
            await page.ClickAsync("#submit");
            mine = await Quality(campaignId, name, answered: k + 1);
        }
        Assert.True(mine?["goldAnswers"]?.GetValue<long>() > 0, $"No gold task in {images.Length} tasks: {mine?.ToJsonString()}");
        Assert.True(mine!["judgedClicks"]!.GetValue<long>() >= 1);

        var (manager, managerPassword) = await fixture.User("goldmgr", "manager");
        var dashboard = await fixture.NewPage();
        await BrowserFixture.SignIn(dashboard, manager, managerPassword);
        await dashboard.GotoAsync($"/campaign.html?id={campaignId}");
        var gold = dashboard.Locator($"#quality-table tr[data-annotator='{name}'] td").Nth(5);
        await Assertions.Expect(gold).ToHaveTextAsync(mine["goldAnswers"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture),
            new() { Timeout = 15_000 });
        // The painted references also give the quality report: a plot of the masks against them, round by round, and its JSON.
        await Assertions.Expect(dashboard.Locator("#reference-note")).ToContainTextAsync($"{images.Length} objects have a reference mask");
        await Assertions.Expect(dashboard.Locator("#plot-reference svg")).ToBeVisibleAsync();
        var report = await fixture.Admin.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{campaignId}/quality/report");
        Assert.Equal(images.Length, report!["references"]!.GetValue<int>());
        // The round-0 masks against the true masks the painter submitted: the box model's quality, well above nothing.
        Assert.InRange(report["rounds"]![0]!["meanIoU"]!.GetValue<double>(), 0.05, 1.0);
        await BrowserFixture.Screenshot(dashboard, "dashboard-gold", fullPage: true);
        await page.Context.CloseAsync();
        await dashboard.Context.CloseAsync();
    }

    /// <summary>The annotator's row of the quality table once it counts <paramref name="answered"/> answers, gold ones included.</summary>
    async Task<JsonObject> Quality(string campaignId, string annotator, int answered)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var rows = await fixture.Admin.GetFromJsonAsync<JsonArray>($"/api/v1/campaigns/{campaignId}/quality/annotators");
            var row = rows!.Select(r => r!.AsObject()).FirstOrDefault(r => r["annotatorId"]!.GetValue<string>() == annotator);
            if (row is not null && row["answers"]!.GetValue<long>() + row["goldAnswers"]!.GetValue<long>() >= answered) return row;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The quality table never counted {answered} answers of {annotator}: {row?.ToJsonString()}");
            await Task.Delay(100);
        }
    }
}
