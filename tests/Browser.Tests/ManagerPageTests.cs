using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Segmentation.Tests;

namespace Browser.Tests;

/// <summary>A manager runs a campaign from the browser; an annotator is kept out of the manager pages.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ManagerPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_manager_creates_imports_with_a_broken_row_starts_watches_the_dashboard_move_and_exports()
    {
        var (manager, managerPassword) = await fixture.User("manager", "manager");
        var (annotator, annotatorPassword) = await fixture.User("worker", "annotator");
        var page = await fixture.NewPage();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await BrowserFixture.SignIn(page, manager, managerPassword);

        // Create the campaign with the form.
        var campaignId = BrowserFixture.NewId("dash");
        await page.GotoAsync("/campaigns.html");
        await page.FillAsync("#new-id", campaignId);
        await page.FillAsync("#new-image-root", BrowserFixture.ImageRoot);
        await page.FillAsync("#new-rounds", "2");
        await page.FillAsync("#new-clicks", "3");
        await page.SelectOptionAsync("#new-model", "reference");
        await page.FillAsync("#new-policies", "object: The whole object.");
        await BrowserFixture.Screenshot(page, "campaigns");
        await page.ClickAsync("#create-campaign");
        await page.WaitForURLAsync($"**/campaign.html?id={campaignId}");
        await Assertions.Expect(page.Locator("#campaign-status")).ToContainTextAsync("draft");

        // Upload a COCO file whose third annotation names an image that does not exist.
        var coco = BrowserFixture.Coco([0, 1, 2]);
        coco["annotations"]!.AsArray()[2]!["image_id"] = 99;
        var file = Path.Combine(Path.GetTempPath(), $"{campaignId}.json");
        await File.WriteAllTextAsync(file, coco.ToJsonString());
        try
        {
            await page.SetInputFilesAsync("#import-file", file);
            await page.SelectOptionAsync("#import-on-error", "skip");
            await page.ClickAsync("#import-upload");
            await Assertions.Expect(page.Locator("#import-result")).ToContainTextAsync("2 imported");
            await Assertions.Expect(page.Locator("#import-errors tbody tr")).ToHaveCountAsync(1);
        }
        finally
        {
            File.Delete(file);
        }

        // Members: the annotator joins and is qualified already; start the campaign.
        await page.FillAsync("#member-name", annotator);
        await page.ClickAsync("#add-member");
        await Assertions.Expect(page.Locator("#members-table")).ToContainTextAsync(annotator);
        await page.ClickAsync("#start");
        await Assertions.Expect(page.Locator("#campaign-status")).ToContainTextAsync("running");
        await Assertions.Expect(page.Locator("#remaining-count")).ToHaveTextAsync("2", new() { Timeout = 60_000 });
        var doneBefore = await page.Locator("#done-count").TextContentAsync();

        // An annotator accepts a mask through the API; the dashboard refreshes by itself.
        using (var anonymous = new HttpClient { BaseAddress = fixture.BaseAddress })
        using (var worker = new HttpClient { BaseAddress = fixture.BaseAddress })
        {
            worker.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                await BrowserFixture.Token(anonymous, annotator, annotatorPassword));
            var task = await BrowserFixture.Ok(await worker.PostAsync($"/api/v1/campaigns/{campaignId}/tasks/next", null));
            await BrowserFixture.Ok(await worker.PostAsJsonAsync(
                $"/api/v1/campaigns/{campaignId}/tasks/{task["instanceId"]}/submit",
                new { submissionId = Guid.NewGuid().ToString("N"), round = 1, clicks = Array.Empty<object>(), secondsSpent = 4.5 }));
        }
        await Assertions.Expect(page.Locator("#done-count")).Not.ToHaveTextAsync(doneBefore ?? "", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#done-count")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#annotators-table")).ToContainTextAsync(annotator);
        await Assertions.Expect(page.Locator("#plot-answers svg")).ToBeVisibleAsync();
        await BrowserFixture.Screenshot(page, "dashboard", fullPage: true);

        // Export: the COCO download holds both imported instances.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-coco"));
        var exported = JsonNode.Parse(await File.ReadAllTextAsync((await download.PathAsync())!))!;
        Assert.Equal(2, exported["annotations"]!.AsArray().Count);
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_annotator_is_refused_on_the_manager_pages()
    {
        var campaignId = await fixture.RunningCampaign("refused", [4]);
        var (annotator, password) = await fixture.User("outsider", "annotator");
        await fixture.AddMember(campaignId, annotator);
        var page = await fixture.NewPage();
        await BrowserFixture.SignIn(page, annotator, password);

        await page.GotoAsync($"/campaign.html?id={campaignId}");
        await Assertions.Expect(page.Locator("#page-status")).ToContainTextAsync("manager");
        await Assertions.Expect(page.Locator("#rounds-table tbody tr")).ToHaveCountAsync(0);
        var status = await page.EvaluateAsync<int>($"async () => (await fetch('/api/v1/campaigns/{campaignId}/progress')).status");
        Assert.Equal(403, status);
        await BrowserFixture.Screenshot(page, "annotator-refused");
        await page.GotoAsync("/users.html");
        await Assertions.Expect(page.Locator("#page-status")).ToContainTextAsync("manager");
        await page.Context.CloseAsync();
    }
}
