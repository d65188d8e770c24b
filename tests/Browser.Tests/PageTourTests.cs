using Microsoft.Playwright;

namespace Browser.Tests;

/// <summary>
/// Every page, as a manager and as an annotator would open it, at a laptop size and at a large screen: each is drawn
/// without a script error, is no wider than the screen (wide tables scroll in their own boxes) and leaves a
/// screenshot (screenshots/tour-PAGE-WIDTH.png) for a person to look at.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PageTourTests(BrowserFixture fixture)
{
    [Theory]
    [InlineData(1366, 768)]
    [InlineData(2560, 1440)]
    public async Task Every_page_is_drawn_without_errors(int width, int height)
    {
        var campaignId = await fixture.RunningCampaign("tour", [5, 6]);
        var (annotator, annotatorPassword) = await fixture.User("touran", "annotator");
        var (manager, managerPassword) = await fixture.User("tourmgr", "manager");
        await fixture.AddMember(campaignId, annotator);
        var errors = new List<string>();

        var page = await fixture.NewPage(width, height);
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync("/login.html");
        await BrowserFixture.Screenshot(page, $"tour-login-{width}");
        await BrowserFixture.SignIn(page, annotator, annotatorPassword);
        await Assertions.Expect(page.Locator($"a.annotate-link[data-campaign='{campaignId}']")).ToBeVisibleAsync();
        await BrowserFixture.Screenshot(page, $"tour-index-{width}");
        await AssertFits(page, "index", width, height);
        await page.GotoAsync($"/annotate.html?campaign={campaignId}");
        await AnnotationPageTests.WaitForTask(page);
        var canvas = (await page.Locator("#image-canvas").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.previewSeq) >= 1");
        await BrowserFixture.Screenshot(page, $"tour-annotate-{width}");
        await AssertFits(page, "annotate", width, height);
        await page.GotoAsync("/tokens.html");
        await Assertions.Expect(page.Locator("#tokens-table")).ToBeVisibleAsync();
        await BrowserFixture.Screenshot(page, $"tour-tokens-annotator-{width}");
        await AssertFits(page, "tokens (annotator)", width, height);
        await page.Context.CloseAsync();

        page = await fixture.NewPage(width, height);
        page.PageError += (_, e) => errors.Add(e);
        await BrowserFixture.SignIn(page, manager, managerPassword);
        foreach (var (name, url, ready) in new[]
                 {
                     ("campaigns", "/campaigns.html", "#campaigns-table"),
                     ("campaign", $"/campaign.html?id={campaignId}", "#rounds-table"),
                     ("instance", $"/instance.html?campaign={campaignId}&id=1", "#round-canvas-0"),
                     ("users", "/users.html", "#users-table"),
                     ("tokens", "/tokens.html", "#tokens-table"),
                 })
        {
            await page.GotoAsync(url);
            await Assertions.Expect(page.Locator(ready)).ToBeVisibleAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await BrowserFixture.Screenshot(page, $"tour-{name}-{width}", fullPage: true);
            await AssertFits(page, name, width, height);
        }
        await page.Context.CloseAsync();
        Assert.Empty(errors);
    }

    /// <summary>
    /// The page is no wider than the viewport. On failure the message names the elements that widen it: those whose
    /// hiding alone brings the page back within the viewport, the deepest of them (an element escaping its scroll box
    /// rather than the box around it); when no single element does, the outermost elements past the right edge.
    /// </summary>
    private static async Task AssertFits(IPage page, string name, int width, int height)
    {
        var fit = await page.EvaluateAsync<System.Text.Json.JsonElement>(WideningElementsScript);
        var (scrollWidth, viewportWidth) = (fit.GetProperty("scrollWidth").GetInt32(), fit.GetProperty("viewportWidth").GetInt32());
        Assert.True(scrollWidth <= viewportWidth, $"{name} at {width}x{height} is {scrollWidth} px wide for a {viewportWidth} px viewport; {fit.GetProperty("kind").GetString()}: {string.Join(", ", fit.GetProperty("wide").EnumerateArray().Select(e => e.GetString()))}");
    }

    private const string WideningElementsScript = """
        () => {
          const root = document.documentElement;
          const width = root.clientWidth;
          const scrollWidth = root.scrollWidth;
          const describe = el => {
            const name = typeof el.className === "string" ? el.className : (el.className.baseVal || "");
            return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${name ? "." + name.trim().split(/\s+/).join(".") : ""} (right ${Math.round(el.getBoundingClientRect().right)})`;
          };
          if (scrollWidth <= width) return { scrollWidth, viewportWidth: width, kind: "fits", wide: [] };
          const past = [...document.querySelectorAll("body *")].filter(el => el.getBoundingClientRect().right > width + 0.5);
          const causes = past.filter(el => {
            const before = el.style.getPropertyValue("display");
            const priority = el.style.getPropertyPriority("display");
            el.style.setProperty("display", "none", "important");
            const fixes = root.scrollWidth <= width;
            el.style.setProperty("display", before, priority);
            return fixes;
          });
          const deepest = causes.filter(el => !causes.some(other => other !== el && el.contains(other)));
          if (deepest.length > 0) return { scrollWidth, viewportWidth: width, kind: "widened by", wide: deepest.slice(0, 8).map(describe) };
          const outermost = past.filter(el => !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 0.5));
          return { scrollWidth, viewportWidth: width, kind: "past its edge", wide: outermost.slice(0, 8).map(describe) };
        }
        """;
}
