using System.Text.Json;
using Xunit.Abstractions;

namespace Browser.Tests;

/// <summary>
/// The page's own timings while an annotator works through tasks: from Submit to the next object drawn, and from a click
/// to its mask drawn next to the preview's server time. Figures are written to browser-timings.json beside the
/// screenshots and printed; BENCHMARKS.md records a longer run (BROWSER_BENCH_TASKS, BROWSER_BENCH_MODEL).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserTimingTests(BrowserFixture fixture, ITestOutputHelper output)
{
    sealed record Preview(double ClickAt, double DrawnAt, double ServerMs, double ModelMs);

    sealed record Submit(double SubmitAt, double DrawnAt);

    sealed record Timings(Preview[] Previews, Submit[] Submits);

    [Fact]
    public async Task Submit_to_next_object_and_click_to_mask_are_measured_in_the_page()
    {
        var tasks = int.TryParse(Environment.GetEnvironmentVariable("BROWSER_BENCH_TASKS"), out var n) && n > 1 ? n : 6;
        var model = Environment.GetEnvironmentVariable("BROWSER_BENCH_MODEL") is { Length: > 0 } m ? m : "reference";
        var campaignId = await fixture.RunningCampaign("timing", Enumerable.Range(10, tasks + 1).ToArray(), model: model, rounds: 1, clicks: 4);
        var (name, password) = await fixture.User("timer", "annotator");
        await fixture.AddMember(campaignId, name);
        var page = await fixture.NewPage();
        await BrowserFixture.SignIn(page, name, password);
        await page.GotoAsync($"/annotate.html?campaign={campaignId}");

        var instance = await AnnotationPageTests.WaitForTask(page);
        for (var t = 0; t < tasks; t++)
        {
            var canvas = (await page.Locator("#image-canvas").BoundingBoxAsync())!;
            var (cx, cy) = (canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
            for (var k = 1; k <= 2; k++)
            {
                await page.Mouse.ClickAsync(cx + 8 * k, cy + 5 * k);
                await page.WaitForFunctionAsync($"() => Number(document.body.dataset.previewSeq) >= {k}");
            }
            await page.ClickAsync("#submit");
            instance = await AnnotationPageTests.WaitForTask(page, notInstance: instance);
        }

        var json = await page.EvaluateAsync<JsonElement>("() => window.annotationTimings");
        var timings = JsonSerializer.Deserialize<Timings>(json.GetRawText(), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(tasks, timings.Submits.Length);
        Assert.Equal(2 * tasks, timings.Previews.Length);
        Assert.All(timings.Submits, s => Assert.True(s.DrawnAt > s.SubmitAt));
        Assert.All(timings.Previews, p => Assert.True(p.DrawnAt > p.ClickAt && p.ServerMs > 0));

        var submit = timings.Submits.Select(s => s.DrawnAt - s.SubmitAt).ToArray();
        var click = timings.Previews.Select(p => p.DrawnAt - p.ClickAt).ToArray();
        var server = timings.Previews.Select(p => p.ServerMs).ToArray();
        var overhead = timings.Previews.Select(p => p.DrawnAt - p.ClickAt - p.ServerMs).ToArray();
        var figures = new Dictionary<string, object>
        {
            ["model"] = model, ["tasks"] = tasks, ["previews"] = click.Length,
            ["submit_to_next_drawn_ms"] = Summary(submit),
            ["click_to_mask_drawn_ms"] = Summary(click),
            ["preview_server_ms"] = Summary(server),
            ["click_to_mask_minus_server_ms"] = Summary(overhead),
        };
        var text = JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true });
        await File.WriteAllTextAsync(Path.Combine(BrowserFixture.Screenshots, "..", "browser-timings.json"), text);
        output.WriteLine(text);
        await page.Context.CloseAsync();
    }

    static Dictionary<string, double> Summary(double[] values)
    {
        var sorted = values.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new() { ["median"] = Math.Round(At(0.5), 1), ["p95"] = Math.Round(At(0.95), 1), ["max"] = Math.Round(sorted[^1], 1) };
    }
}
