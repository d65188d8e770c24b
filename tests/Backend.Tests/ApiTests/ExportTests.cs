using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Segmentation.Imaging;
using Segmentation.Masks;

namespace Backend.Tests.ApiTests;

/// <summary>Exports after an instance is finished: COCO JSON with RLE and provenance, OpenImages zip with PNGs.</summary>
[Collection(ApiCollection.Name)]
public sealed class ExportTests(GatewayFixture fixture)
{
    readonly Api api = new(fixture.Client);

    /// <summary>A campaign of two instances where one annotator finished one by accepting its round-0 mask.</summary>
    async Task<(string CampaignId, string AnnotatorId, string InstanceId, JsonObject Instance)> OneFinished(string prefix)
    {
        var campaignId = await api.RunningCampaign(prefix, [0, 1]);
        var annotatorId = await api.QualifiedAnnotator();
        var task = await api.Next(campaignId, annotatorId);
        var instanceId = task["instanceId"]!.GetValue<string>();
        using var submit = await api.Submit(campaignId, annotatorId, instanceId, 1, [], secondsSpent: 6.5);
        Assert.Equal("done", (await Api.Ok(submit))["status"]!.GetValue<string>());
        return (campaignId, annotatorId, instanceId, await api.Instance(campaignId, instanceId));
    }

    [Fact]
    public async Task Coco_export_has_the_finished_instance_with_its_rle_instance_id_and_provenance()
    {
        var (campaignId, annotatorId, instanceId, instance) = await OneFinished("export-coco");
        var finalMask = instance["masks"]!.AsArray()[^1]!["mask"]!;

        using var response = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}/export?format=coco");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var coco = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        var annotation = coco["annotations"]!.AsArray().Single(a => a!["instance_id"]!.GetValue<string>() == instanceId)!;
        Assert.Equal("done", annotation["status"]!.GetValue<string>());
        var segmentation = annotation["segmentation"]!;
        Assert.Equal(finalMask["counts"]!.GetValue<string>(), segmentation["counts"]!.GetValue<string>());
        var size = segmentation["size"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();
        var image = Api.Davis(instance["imagePath"]!.GetValue<string>() == "000.jpg" ? 0 : 1);
        Assert.Equal([image.Height, image.Width], size);
        var mask = CocoRle.Decode(segmentation["counts"]!.GetValue<string>(), size[0], size[1]);
        Assert.Equal(mask.Area(), annotation["area"]!.GetValue<long>());
        var provenance = annotation["provenance"]!;
        Assert.Equal(1, provenance["rounds_answered"]!.GetValue<int>());
        Assert.Equal([annotatorId], provenance["annotators"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray());
        Assert.Equal(6.5, provenance["total_seconds"]!.GetValue<double>());
        Assert.Equal(0, provenance["total_clicks"]!.GetValue<int>());
        var imageEntry = coco["images"]!.AsArray().Single(i => i!["id"]!.GetValue<int>() == annotation["image_id"]!.GetValue<int>())!;
        Assert.Equal(instance["imagePath"]!.GetValue<string>(), imageEntry["file_name"]!.GetValue<string>());

        // The other instance is still in round 1 with its round-0 mask.
        var other = coco["annotations"]!.AsArray().Single(a => a!["instance_id"]!.GetValue<string>() != instanceId)!;
        Assert.NotEqual("done", other["status"]!.GetValue<string>());
        Assert.Equal(0, other["provenance"]!["rounds_answered"]!.GetValue<int>());
    }

    [Fact]
    public async Task OpenImages_export_is_a_zip_with_masks_csv_and_a_png_per_mask()
    {
        var (campaignId, _, instanceId, instance) = await OneFinished("export-oi");

        using var response = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}/export?format=openimages");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), ZipArchiveMode.Read);

        var csvEntry = zip.GetEntry("masks.csv");
        Assert.NotNull(csvEntry);
        string csv;
        using (var reader = new StreamReader(csvEntry.Open(), Encoding.UTF8)) csv = await reader.ReadToEndAsync();
        var lines = csv.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length); // header + both instances (each has a mask)
        var header = lines[0].Split(',');
        Assert.Contains("MaskPath", header);
        var finished = lines.Single(l => l.Contains($"_{instanceId}.png", StringComparison.Ordinal));
        var maskPath = finished.Split(',')[Array.IndexOf(header, "MaskPath")];

        var pngEntry = zip.GetEntry("masks/" + maskPath) ?? zip.GetEntry(maskPath);
        Assert.NotNull(pngEntry);
        using var png = new MemoryStream();
        await using (var stream = pngEntry.Open()) await stream.CopyToAsync(png);
        Assert.True(png.ToArray().AsSpan().StartsWith(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }));
        var path = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.png");
        try
        {
            await File.WriteAllBytesAsync(path, png.ToArray());
            var decoded = ImageCodec.ReadMask(path);
            var finalMask = instance["masks"]!.AsArray()[^1]!["mask"]!;
            var size = finalMask["size"]!.AsArray();
            var expected = CocoRle.Decode(finalMask["counts"]!.GetValue<string>(), size[0]!.GetValue<int>(), size[1]!.GetValue<int>());
            Assert.Equal(expected.Width, decoded.Width);
            Assert.Equal(expected.Height, decoded.Height);
            Assert.Equal(CocoRle.Encode(expected), CocoRle.Encode(decoded));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("?format=yolo")]
    [InlineData("?format=COCO")]
    [InlineData("")]
    public async Task An_unknown_export_format_is_400_naming_format(string query)
    {
        var campaignId = Api.NewId("export-bad");
        await api.CreateCampaign(campaignId);

        using var response = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}/export{query}");

        await Api.Problem(response, HttpStatusCode.BadRequest, "invalid", "format");
    }
}
