using System.Text.Json.Nodes;
using SkiaSharp;

namespace Browser.Tests;

/// <summary>The annotation page with a 6000 px wide image and a 200 px one: drawn, clicked, previewed and answered.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ImageSizeTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Images_from_200_to_6000_pixels_wide_are_annotated()
    {
        var root = Directory.CreateTempSubdirectory("browser-sizes-").FullName;
        try
        {
            var coco = new JsonObject
            {
                ["images"] = new JsonArray(),
                ["categories"] = new JsonArray(new JsonObject { ["id"] = 1, ["name"] = "disc" }),
                ["annotations"] = new JsonArray(),
            };
            var sizes = new[] { (Name: "wide.jpg", Width: 6000, Height: 4000), (Name: "small.jpg", Width: 200, Height: 150) };
            for (var i = 0; i < sizes.Length; i++)
            {
                var (file, width, height) = sizes[i];
                var box = WriteDisc(Path.Combine(root, file), width, height);
                coco["images"]!.AsArray().Add(new JsonObject { ["id"] = i + 1, ["file_name"] = file, ["width"] = width, ["height"] = height });
                coco["annotations"]!.AsArray().Add(new JsonObject
                {
                    ["id"] = i + 1, ["image_id"] = i + 1, ["category_id"] = 1,
                    ["bbox"] = new JsonArray(box.Left, box.Top, box.Width, box.Height),
                });
            }
            var campaignId = await fixture.RunningCampaign("sizes", root, coco, sizes.Length);
            var (name, password) = await fixture.User("sizer", "annotator");
            await fixture.AddMember(campaignId, name);
            var page = await fixture.NewPage();
            var errors = new List<string>();
            page.PageError += (_, e) => errors.Add(e);
            await BrowserFixture.SignIn(page, name, password);
            await page.GotoAsync($"/annotate.html?campaign={campaignId}");

            var seen = new List<string>();
            string? instance = null;
            for (var t = 0; t < sizes.Length; t++)
            {
                instance = await AnnotationPageTests.WaitForTask(page, instance);
                seen.Add(instance);
                var canvas = (await page.Locator("#image-canvas").BoundingBoxAsync())!;
                await page.Mouse.ClickAsync(canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
                await page.WaitForFunctionAsync("() => Number(document.body.dataset.previewSeq) >= 1");
                await BrowserFixture.Screenshot(page, "annotate-" + (instance == "1" ? "6000px" : "200px"));
                await page.ClickAsync("#submit");
                await page.WaitForFunctionAsync($"() => document.body.dataset.instance !== '{instance}'");
            }
            Assert.Equal(["1", "2"], seen.Order().ToArray());
            Assert.Empty(errors);
            await page.Context.CloseAsync();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A JPEG with a filled disc on a gradient; answers the disc's bounding box.</summary>
    static SKRectI WriteDisc(string path, int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var background = new SKPaint
            {
                Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
                    [new SKColor(90, 120, 90), new SKColor(200, 190, 160)], SKShaderTileMode.Clamp),
            };
            canvas.DrawRect(0, 0, width, height, background);
            using var disc = new SKPaint { Color = new SKColor(180, 40, 40), IsAntialias = true };
            canvas.DrawOval(width / 2f, height / 2f, width / 5f, height / 5f, disc);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 85);
        File.WriteAllBytes(path, data.ToArray());
        return new SKRectI(width / 2 - width / 5, height / 2 - height / 5, width / 2 + width / 5, height / 2 + height / 5);
    }
}
