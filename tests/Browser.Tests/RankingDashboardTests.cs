using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Tests;

namespace Browser.Tests;

/// <summary>Once M_r has a model, the dashboard draws the quality curve and the lowest-ranked masks, which open their instance.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RankingDashboardTests(BrowserFixture fixture)
{
    const int Objects = 30;

    [Fact]
    public async Task The_quality_curve_and_the_lowest_ranked_masks_open_the_instance_with_its_rounds()
    {
        var images = Enumerable.Range(20, Objects).ToArray();
        var coco = BrowserFixture.Coco(images);
        // Every object carries its ground truth; half of them (by a hash of the id) train M_r.
        foreach (var (annotation, image) in coco["annotations"]!.AsArray().Zip(images))
        {
            var gt = ImageCodec.ReadMask(TestData.DavisMask(image));
            annotation!["segmentation"] = new JsonObject
            {
                ["size"] = new JsonArray(gt.Height, gt.Width), ["counts"] = CocoRle.Encode(gt),
            };
        }
        var campaignId = await fixture.RunningCampaign("ranked", BrowserFixture.ImageRoot, coco, Objects,
            groundTruthFraction: 0.5);
        var (annotator, password) = await fixture.User("ranker", "annotator");
        await fixture.AddMember(campaignId, annotator);
        await AnswerEverything(campaignId, annotator, password);
        await WaitForModel(campaignId);

        var (manager, managerPassword) = await fixture.User("rankmgr", "manager");
        var page = await fixture.NewPage();
        await BrowserFixture.SignIn(page, manager, managerPassword);
        await page.GotoAsync($"/campaign.html?id={campaignId}");
        await Assertions.Expect(page.Locator("#plot-quality svg")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#low-ranked a.thumb")).Not.ToHaveCountAsync(0);
        await BrowserFixture.Screenshot(page, "dashboard-ranking", fullPage: true);

        var first = page.Locator("#low-ranked a.thumb").First;
        var href = await first.GetAttributeAsync("href");
        await first.ClickAsync();
        await page.WaitForURLAsync("**/instance.html?*");
        Assert.Contains(campaignId, page.Url);
        await Assertions.Expect(page.Locator("#round-canvas-1")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#answers-table")).ToContainTextAsync(annotator);
        await BrowserFixture.Screenshot(page, "instance");
        Assert.NotNull(href);
        await page.Context.CloseAsync();
    }

    /// <summary>Round 1: a click in the box centre for every other object, 0 clicks for the rest; round 2: 0 clicks.</summary>
    async Task AnswerEverything(string campaignId, string annotator, string password)
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.BaseAddress };
        using var client = new HttpClient { BaseAddress = fixture.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await BrowserFixture.Token(anonymous, annotator, password));
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        var answered = 0;
        while (DateTime.UtcNow < deadline)
        {
            using var next = await client.PostAsync($"/api/v1/campaigns/{campaignId}/tasks/next", null);
            if (next.StatusCode == System.Net.HttpStatusCode.NoContent)
            {
                var progress = await fixture.Admin.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{campaignId}/progress");
                if (progress!["complete"]!.GetValue<bool>()) return;
                await Task.Delay(100);
                continue;
            }
            var task = await BrowserFixture.Ok(next);
            var id = task["instanceId"]!.GetValue<string>();
            var round = task["round"]!.GetValue<int>();
            var box = task["box"]!;
            object[] clicks = round == 1 && int.Parse(id) % 2 == 0
                ? [new { x = (box["x0"]!.GetValue<double>() + box["x1"]!.GetValue<double>()) / 2, y = (box["y0"]!.GetValue<double>() + box["y1"]!.GetValue<double>()) / 2, label = "foreground" }]
                : [];
            using var submit = await client.PostAsJsonAsync($"/api/v1/campaigns/{campaignId}/tasks/{id}/submit",
                new { submissionId = Guid.NewGuid().ToString("N"), round, clicks, secondsSpent = 3.0 + answered % 5 });
            await BrowserFixture.Ok(submit);
            answered++;
        }
        throw new TimeoutException($"Campaign {campaignId} was not complete after {answered} answers.");
    }

    async Task WaitForModel(string campaignId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var curve = await fixture.Admin.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{campaignId}/ranking/curve");
            if (curve!["modelVersion"]!.GetValue<int>() > 0 && curve["heldOut"]!["instances"]!.GetValue<int>() > 0) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No quality model for {campaignId}: {curve.ToJsonString()}");
            await Task.Delay(250);
        }
    }
}
