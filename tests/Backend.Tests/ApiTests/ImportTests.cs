using System.Net;
using System.Text.Json.Nodes;

namespace Backend.Tests.ApiTests;

/// <summary>Imports with bad rows: skipped and reported by row and field, or the whole file refused.</summary>
[Collection(ApiCollection.Name)]
public sealed class ImportTests(GatewayFixture fixture)
{
    readonly Api api = new(fixture.Client);

    /// <summary>Annotation 1 is good; 2 has a box of negative width; 3 names an image that is not listed.</summary>
    static string CocoWithTwoBadRows()
    {
        var coco = Api.Coco(0);
        var badBox = Api.AddAnnotation(coco, 2, 1);
        badBox["bbox"] = new JsonArray(10, 10, -5, 20);
        var unknownImage = Api.AddAnnotation(coco, 3, 2);
        unknownImage["image_id"] = 999;
        return coco.ToJsonString();
    }

    static void AssertRowErrors(JsonArray errors, params (int Row, string Field)[] expected)
    {
        Assert.Equal(expected, errors.Select(e => (e!["row"]!.GetValue<int>(), e["field"]!.GetValue<string>())).ToArray());
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e!["message"]!.GetValue<string>())));
    }

    async Task AssertNoInstance(string campaignId, string instanceId)
    {
        using var get = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}/instances/{instanceId}");
        await Api.Problem(get, HttpStatusCode.NotFound, "not_initialized", "instanceId");
    }

    [Fact]
    public async Task Coco_with_bad_rows_and_onError_skip_imports_the_good_row_and_reports_the_bad_ones()
    {
        var campaignId = Api.NewId("import-skip");
        await api.CreateCampaign(campaignId);

        using var response = await api.Import(campaignId, CocoWithTwoBadRows(), onError: "skip");
        var report = await Api.Ok(response);

        Assert.Equal("coco", report["format"]!.GetValue<string>());
        Assert.Equal(3, report["rowsRead"]!.GetValue<int>());
        Assert.Equal(1, report["imported"]!.GetValue<int>());
        Assert.Equal(0, report["alreadyPresent"]!.GetValue<int>());
        AssertRowErrors(report["rejected"]!.AsArray(), (2, "bbox"), (3, "image_id"));
        Assert.Equal(1, (await api.Campaign(campaignId))["importedInstances"]!.GetValue<int>());
        var instance = await api.Instance(campaignId, "1");
        Assert.Equal("000.jpg", instance["imagePath"]!.GetValue<string>());
        await AssertNoInstance(campaignId, "2");
        await AssertNoInstance(campaignId, "3");

        // Importing the same file again finds the good row present and reports the same bad ones.
        using var again = await api.Import(campaignId, CocoWithTwoBadRows(), onError: "skip");
        var second = await Api.Ok(again);
        Assert.Equal(0, second["imported"]!.GetValue<int>());
        Assert.Equal(1, second["alreadyPresent"]!.GetValue<int>());
        AssertRowErrors(second["rejected"]!.AsArray(), (2, "bbox"), (3, "image_id"));
        Assert.Equal(1, (await api.Campaign(campaignId))["importedInstances"]!.GetValue<int>());
    }

    [Fact]
    public async Task Coco_with_bad_rows_and_onError_reject_is_422_with_the_errors_and_imports_nothing()
    {
        var campaignId = Api.NewId("import-reject");
        await api.CreateCampaign(campaignId);
        var earlier = Api.Coco();
        Api.AddAnnotation(earlier, 10, 3);
        using (var first = await api.Import(campaignId, earlier.ToJsonString()))
            Assert.Equal(1, (await Api.Ok(first))["imported"]!.GetValue<int>());
        var before = await api.Campaign(campaignId);

        using var response = await api.Import(campaignId, CocoWithTwoBadRows(), onError: "reject");

        var problem = await Api.Problem(response, HttpStatusCode.UnprocessableEntity, "import_rejected", "bbox");
        AssertRowErrors(problem["errors"]!.AsArray(), (2, "bbox"), (3, "image_id"));
        Assert.Contains("nothing was imported", problem["detail"]!.GetValue<string>());
        var after = await api.Campaign(campaignId);
        Assert.Equal(1, after["importedInstances"]!.GetValue<int>());
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
        await AssertNoInstance(campaignId, "1");
    }

    [Fact]
    public async Task Coco_rows_on_image_files_missing_from_the_root_or_outside_it_are_reported_on_file_name()
    {
        var campaignId = Api.NewId("import-missing");
        await api.CreateCampaign(campaignId);
        var coco = Api.Coco(0, 1, 2);
        coco["images"]![1]!["file_name"] = "no-such-image.jpg";
        coco["images"]![2]!["file_name"] = "../gt/002.png"; // exists, but outside the image root

        using var response = await api.Import(campaignId, coco.ToJsonString(), onError: "skip");
        var report = await Api.Ok(response);

        Assert.Equal(1, report["imported"]!.GetValue<int>());
        AssertRowErrors(report["rejected"]!.AsArray(), (2, "file_name"), (3, "file_name"));
        Assert.Equal(1, (await api.Campaign(campaignId))["importedInstances"]!.GetValue<int>());
        await AssertNoInstance(campaignId, "2");
        await AssertNoInstance(campaignId, "3");
    }

    [Fact]
    public async Task An_import_that_is_not_a_readable_file_is_400_and_changes_nothing()
    {
        var campaignId = Api.NewId("import-broken");
        await api.CreateCampaign(campaignId);
        var before = (await api.Campaign(campaignId)).ToJsonString();

        using (var notJson = await api.Import(campaignId, "this is not { json", onError: "skip"))
            await Api.Problem(notJson, HttpStatusCode.BadRequest, "malformed_file", "body");
        using (var truncated = await api.Import(campaignId, Api.Coco(0).ToJsonString()[..40], onError: "skip"))
            await Api.Problem(truncated, HttpStatusCode.BadRequest, "malformed_file", "body");
        using (var notCoco = await api.Import(campaignId, """{"annotations":[]}""", onError: "skip"))
            await Api.Problem(notCoco, HttpStatusCode.BadRequest, "malformed_file", "body");
        using (var empty = await api.Import(campaignId, "", onError: "skip"))
            await Api.Problem(empty, HttpStatusCode.BadRequest, "invalid", "body");
        using (var badFormat = await api.Import(campaignId, Api.Coco(0).ToJsonString(), format: "yolo"))
            await Api.Problem(badFormat, HttpStatusCode.BadRequest, "invalid", "format");
        using (var badOnError = await api.Import(campaignId, Api.Coco(0).ToJsonString(), onError: "ignore"))
            await Api.Problem(badOnError, HttpStatusCode.BadRequest, "invalid", "onError");
        using (var csvHeaderless = await api.Import(campaignId, "000,object,0.1,0.5,0.2,0.6\n", format: "openimages", mediaType: "text/csv"))
            await Api.Problem(csvHeaderless, HttpStatusCode.BadRequest, "malformed_file", "body");

        Assert.Equal(before, (await api.Campaign(campaignId)).ToJsonString());
        Assert.Equal("draft", (await api.Campaign(campaignId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenImages_csv_with_normalised_boxes_imports_good_rows_and_reports_a_broken_line()
    {
        var campaignId = Api.NewId("import-oi");
        await api.CreateCampaign(campaignId);
        const string csv =
            "ImageID,LabelName,XMin,XMax,YMin,YMax\n" +
            "000,object,0.1,0.5,0.2,0.6\n" +
            "001,object,0.5,0.1,0.2,0.6\n" + // XMax < XMin
            "001,animal,0.25,0.75,0.5,1\n";

        using var response = await api.Import(campaignId, csv, format: "openimages", onError: "skip", mediaType: "text/csv");
        var report = await Api.Ok(response);

        Assert.Equal("openimages", report["format"]!.GetValue<string>());
        Assert.Equal(3, report["rowsRead"]!.GetValue<int>());
        Assert.Equal(2, report["imported"]!.GetValue<int>());
        AssertRowErrors(report["rejected"]!.AsArray(), (3, "XMax"));
        Assert.Equal(2, (await api.Campaign(campaignId))["importedInstances"]!.GetValue<int>());

        // Instance ids are "{ImageID}-{line}"; fractions become pixels of the real image.
        var first = await api.Instance(campaignId, "000-2");
        var image = Api.Davis(0);
        Assert.Equal("000.jpg", first["imagePath"]!.GetValue<string>());
        Assert.Equal("object", first["className"]!.GetValue<string>());
        var box = first["box"]!;
        Assert.Equal(0.1 * image.Width, box["x0"]!.GetValue<double>(), 6);
        Assert.Equal(0.5 * image.Width, box["x1"]!.GetValue<double>(), 6);
        Assert.Equal(0.2 * image.Height, box["y0"]!.GetValue<double>(), 6);
        Assert.Equal(0.6 * image.Height, box["y1"]!.GetValue<double>(), 6);
        var second = await api.Instance(campaignId, "001-4");
        Assert.Equal("animal", second["className"]!.GetValue<string>());
        Assert.Equal(Api.Davis(1).Height, second["box"]!["y1"]!.GetValue<double>(), 6);
        await AssertNoInstance(campaignId, "001-3");

        // The same file with onError=reject names the broken line and imports nothing more.
        using var rejected = await api.Import(campaignId, csv, format: "openimages", onError: "reject", mediaType: "text/csv");
        var problem = await Api.Problem(rejected, HttpStatusCode.UnprocessableEntity, "import_rejected", "XMax");
        AssertRowErrors(problem["errors"]!.AsArray(), (3, "XMax"));
        Assert.Equal(2, (await api.Campaign(campaignId))["importedInstances"]!.GetValue<int>());
    }

    [Fact]
    public async Task Imports_are_refused_once_the_campaign_runs()
    {
        var campaignId = await api.RunningCampaign("import-running", [0]);

        var coco = Api.Coco();
        Api.AddAnnotation(coco, 2, 1);
        using var response = await api.Import(campaignId, coco.ToJsonString());

        await Api.Problem(response, HttpStatusCode.Conflict, "invalid_transition", "status");
        Assert.Equal(1, (await api.Campaign(campaignId))["importedInstances"]!.GetValue<int>());
        await AssertNoInstance(campaignId, "2");
    }
}
