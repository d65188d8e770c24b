using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Backend.Tests.ApiTests;

/// <summary>The limits of an import: file size, declared image sizes against the files, huge declared images.</summary>
[Collection(ApiCollection.Name)]
public sealed class ImportLimitTests(GatewayFixture fixture)
{
    readonly Api api = new(fixture.Client);

    async Task AssertNothingImported(string campaignId)
    {
        var campaign = await api.Campaign(campaignId);
        Assert.Equal(0, campaign["importedInstances"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_with_413_and_imports_nothing()
    {
        var campaignId = Api.NewId("import-size");
        await api.CreateCampaign(campaignId);
        var csv = new StringBuilder("ImageID,LabelName,XMin,XMax,YMin,YMax,BoxID\n");
        for (var i = 0; csv.Length <= TestGatewaySettings.ImportMaxBytes; i++) csv.Append($"000,cat,0.1,0.5,0.1,0.5,b{i:D8}\n");

        using var response = await api.Import(campaignId, csv.ToString(), format: "openimages", onError: "skip", mediaType: "text/csv");

        await Api.Problem(response, HttpStatusCode.RequestEntityTooLarge, "too_large", "body");
        await AssertNothingImported(campaignId);
    }

    [Fact]
    public async Task A_declared_image_size_that_differs_from_the_image_file_is_a_refused_row()
    {
        var campaignId = Api.NewId("import-dims");
        await api.CreateCampaign(campaignId);
        var coco = Api.Coco(0, 1);
        var image = coco["images"]!.AsArray()[1]!;
        image["width"] = image["width"]!.GetValue<int>() + 8;

        using var rejected = await api.Import(campaignId, coco.ToJsonString(), onError: "reject");
        var problem = await Api.Problem(rejected, HttpStatusCode.UnprocessableEntity, "import_rejected", "width");
        Assert.Equal((2, "width"), (problem["errors"]![0]!["row"]!.GetValue<int>(), problem["errors"]![0]!["field"]!.GetValue<string>()));
        await AssertNothingImported(campaignId);

        using var skipped = await api.Import(campaignId, coco.ToJsonString(), onError: "skip");
        var report = await Api.Ok(skipped);
        Assert.Equal(1, report["imported"]!.GetValue<int>());
        Assert.Equal("width", report["rejected"]![0]!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_small_file_declaring_a_huge_image_is_a_refused_row()
    {
        var campaignId = Api.NewId("import-huge");
        await api.CreateCampaign(campaignId);
        var coco = JsonNode.Parse("""
            {"images":[{"id":1,"file_name":"000.jpg","width":46000,"height":46000}],
             "categories":[{"id":1,"name":"x"}],
             "annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[1,1,4,4],"segmentation":[[1,1,5,1,5,5,1,5]]}]}
            """)!;

        using var response = await api.Import(campaignId, coco.ToJsonString(), onError: "skip");

        var report = await Api.Ok(response);
        Assert.Equal(0, report["imported"]!.GetValue<int>());
        Assert.Contains(report["rejected"]!.AsArray(), e => e!["field"]!.GetValue<string>() is "width" or "height");
        await AssertNothingImported(campaignId);
    }
}
