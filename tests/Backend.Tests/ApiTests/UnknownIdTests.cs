using System.Net;

namespace Backend.Tests.ApiTests;

/// <summary>Ids that do not exist are answered with 404 problems and create nothing.</summary>
[Collection(ApiCollection.Name)]
public sealed class UnknownIdTests(GatewayFixture fixture)
{
    readonly Api api = new(fixture.Client);

    [Fact]
    public async Task Unknown_campaign_is_404_on_progress_next_export_and_import_and_is_not_created()
    {
        var campaignId = Api.NewId("missing");
        var annotatorId = await api.QualifiedAnnotator();

        using (var progress = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}/progress"))
            await Api.Problem(progress, HttpStatusCode.NotFound, "not_initialized", "campaignId");
        // An annotator is a member of no such campaign: refused without telling whether it exists.
        using (var next = await api.NextResponse(campaignId, annotatorId))
            await Api.Problem(next, HttpStatusCode.Forbidden, "forbidden", "campaignId");
        using (var export = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}/export?format=coco"))
            await Api.Problem(export, HttpStatusCode.NotFound, "not_initialized", "campaignId");
        using (var import = await api.Import(campaignId, Api.Coco(0).ToJsonString(), onError: "skip"))
            await Api.Problem(import, HttpStatusCode.NotFound, "not_initialized", "campaignId");

        // None of these created the campaign or gave the annotator anything.
        using (var get = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}"))
            await Api.Problem(get, HttpStatusCode.NotFound, "not_initialized", "campaignId");
        var campaigns = await api.Get("/api/v1/campaigns");
        Assert.DoesNotContain(campaigns["campaigns"]!.AsArray(), c => c!["id"]!.GetValue<string>() == campaignId);
        var annotator = await api.Get($"/api/v1/annotators/{annotatorId}");
        Assert.Null(annotator["leasedInstance"]?.GetValue<string>());
        Assert.Equal(0, annotator["statistics"]!["answers"]!.GetValue<int>());
    }

    [Fact]
    public async Task Unknown_instance_is_404_on_get_and_a_submission_to_it_is_a_404_that_records_nothing()
    {
        var campaignId = await api.RunningCampaign("unknown-instance", [0]);
        var annotatorId = await api.QualifiedAnnotator();

        using (var get = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}/instances/no-such-instance"))
            await Api.Problem(get, HttpStatusCode.NotFound, "not_initialized", "instanceId");

        // Holding no lease at all, and then holding the lease of another instance.
        using (var submit = await api.Submit(campaignId, annotatorId, "no-such-instance", 1, []))
            await Api.Problem(submit, HttpStatusCode.NotFound, "not_initialized", "instanceId");
        var task = await api.Next(campaignId, annotatorId);
        var before = await api.InstanceState(campaignId, "1");
        using (var submit = await api.Submit(campaignId, annotatorId, "no-such-instance", 1, [Api.Click(10, 10)]))
            await Api.Problem(submit, HttpStatusCode.NotFound, "not_initialized", "instanceId");
        using (var skip = await api.Post(Api.TaskUrl(campaignId, annotatorId, "no-such-instance", "skip"),
                   new { submissionId = Guid.NewGuid().ToString("N"), round = 1, secondsSpent = 1.0 }))
            await Api.Problem(skip, HttpStatusCode.NotFound, "not_initialized", "instanceId");
        using (var preview = await api.Post(Api.TaskUrl(campaignId, annotatorId, "no-such-instance", "preview"),
                   new { round = 1, clicks = new[] { Api.Click(10, 10) } }))
            await Api.Problem(preview, HttpStatusCode.NotFound, "not_initialized", "instanceId");

        // The lease on the real instance is untouched and the annotator has answered nothing.
        Assert.Equal(before, await api.InstanceState(campaignId, "1"));
        Assert.Equal(task["instanceId"]!.GetValue<string>(), (await api.Next(campaignId, annotatorId))["instanceId"]!.GetValue<string>());
        using (var get = await api.Client.GetAsync($"/api/v1/campaigns/{campaignId}/instances/no-such-instance"))
            await Api.Problem(get, HttpStatusCode.NotFound, "not_initialized", "instanceId");
        Assert.Equal(0, (await api.Statistics(campaignId, annotatorId))!["answers"]!.GetValue<int>());
    }
}
