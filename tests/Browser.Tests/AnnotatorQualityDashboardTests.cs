using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Simulation;
using Segmentation.Tests;

namespace Browser.Tests;

/// <summary>
/// Three careful annotators and a careless one answer objects that have a reference mask; the manager sees the careless
/// one flagged on the dashboard and suspends them, which gives their open task back to the queue.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AnnotatorQualityDashboardTests(BrowserFixture fixture)
{
    const int TasksEach = 8;

    [Fact]
    public async Task A_careless_annotator_is_flagged_on_the_dashboard_and_suspended_from_it()
    {
        var images = Enumerable.Range(60, 4 * TasksEach + 1).ToArray();
        var coco = BrowserFixture.Coco(images);
        var truths = new Dictionary<string, BinaryMask>();
        foreach (var (annotation, image) in coco["annotations"]!.AsArray().Zip(images))
        {
            var gt = ImageCodec.ReadMask(TestData.DavisMask(image));
            truths[annotation!["id"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture)] = gt;
            annotation["segmentation"] = new JsonObject { ["size"] = new JsonArray(gt.Height, gt.Width), ["counts"] = CocoRle.Encode(gt) };
        }
        var campaignId = await fixture.RunningCampaign("judged", BrowserFixture.ImageRoot, coco, images.Length, rounds: 1, clicks: 4);
        var annotators = new List<(string Name, string Password)>();
        for (var i = 0; i < 4; i++)
        {
            var user = await fixture.User(i == 3 ? "careless" : "careful", "annotator");
            await fixture.AddMember(campaignId, user.Name);
            annotators.Add(user);
        }
        for (var i = 0; i < 4; i++)
            await Answer(campaignId, annotators[i], truths, careless: i == 3, TasksEach);
        var careless = annotators[3].Name;
        // The careless annotator holds one more task when the manager suspends them.
        using var carelessClient = await fixture.Client(annotators[3]);
        var held = await BrowserFixture.Ok(await carelessClient.PostAsync($"/api/v1/campaigns/{campaignId}/tasks/next", null));

        var (manager, managerPassword) = await fixture.User("qualitymgr", "manager");
        var page = await fixture.NewPage();
        await BrowserFixture.SignIn(page, manager, managerPassword);
        await page.GotoAsync($"/campaign.html?id={campaignId}");
        var row = page.Locator($"#quality-table tr[data-annotator='{careless}']");
        await Assertions.Expect(row.Locator(".badge.flag")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        // Flagged rows come first, and no careful annotator is flagged.
        await Assertions.Expect(page.Locator("#quality-table tbody tr").First).ToHaveAttributeAsync("data-annotator", careless);
        await Assertions.Expect(page.Locator("#quality-table .badge.flag")).ToHaveCountAsync(1);
        foreach (var (name, _) in annotators.Take(3))
            await Assertions.Expect(page.Locator($"#quality-table tr[data-annotator='{name}'] td").Nth(2)).ToHaveTextAsync("100%");
        await BrowserFixture.Screenshot(page, "dashboard-annotator-quality", fullPage: true);

        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Suspend" }).ClickAsync();
        await Assertions.Expect(row.Locator(".badge.suspended")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#quality-status")).ToContainTextAsync("suspended");
        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Suspend" })).ToHaveCountAsync(0);

        // Their open task went back to the queue, and their answer to it is refused.
        var progress = await fixture.Admin.GetFromJsonAsync<JsonObject>($"/api/v1/campaigns/{campaignId}/progress");
        Assert.Equal(0, progress!["rounds"]![0]!["leased"]!.GetValue<int>());
        using var late = await carelessClient.PostAsJsonAsync($"/api/v1/campaigns/{campaignId}/tasks/{held["instanceId"]}/submit",
            new { submissionId = Guid.NewGuid().ToString("N"), round = 1, clicks = Array.Empty<object>(), secondsSpent = 2.0 });
        Assert.Equal(System.Net.HttpStatusCode.Conflict, late.StatusCode);
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// <paramref name="count"/> tasks answered with up to 4 clicks: a careful annotator's in the error regions (the
    /// simulator's clicks), a careless one's in the same places with the opposite label. (Random clicks in the box, the
    /// simulator's careless annotator, are right about 70-80% of the time on the test model's coarse masks, too close to
    /// the flag's threshold for a test that must not depend on the draw.)
    /// </summary>
    async Task Answer(string campaignId, (string Name, string Password) user, Dictionary<string, BinaryMask> truths, bool careless, int count)
    {
        using var client = await fixture.Client(user);
        var rng = new Random(user.Name.Length + (careless ? 7 : 1));
        var simulator = new ClickSimulator();
        for (var k = 0; k < count; k++)
        {
            var task = await BrowserFixture.Ok(await client.PostAsync($"/api/v1/campaigns/{campaignId}/tasks/next", null));
            var id = task["instanceId"]!.GetValue<string>();
            var mask = task["mask"]!;
            var size = mask["size"]!.AsArray();
            var shown = CocoRle.Decode(mask["counts"]!.GetValue<string>(), size[0]!.GetValue<int>(), size[1]!.GetValue<int>());
            var good = simulator.CorrectiveClicks(truths[id], shown, 4, rng);
            var clicks = careless ? good.Select(c => c with { Label = c.IsForeground ? ClickLabel.Background : ClickLabel.Foreground }).ToArray() : good;
            using var submit = await client.PostAsJsonAsync($"/api/v1/campaigns/{campaignId}/tasks/{id}/submit", new
            {
                submissionId = Guid.NewGuid().ToString("N"), round = 1, secondsSpent = 4.0,
                clicks = clicks.Select(c => new { x = c.X, y = c.Y, label = c.IsForeground ? "foreground" : "background" }).ToArray(),
            });
            await BrowserFixture.Ok(submit);
        }
    }
}
