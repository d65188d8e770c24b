using System.Diagnostics;
using Grains.Interfaces;

namespace ApiGateway.Api;

public static class AnnotatorEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/campaigns/{campaignId}/annotators/{annotatorId}").WithTags("Annotator");
        api.MapPost("/next", Next).WithSummary("The annotator's current task, or a new lease; 204 when there is nothing right now.");
        api.MapPost("/tasks/{instanceId}/submit", Submit).WithSummary("0 clicks accepts the mask; clicks ask the model for the next one.");
        api.MapPost("/tasks/{instanceId}/skip", Skip).WithSummary("The object cannot be annotated; it is excluded.");
        api.MapPost("/tasks/{instanceId}/preview", Preview).WithSummary("The mask for tentative clicks, nothing stored.");
        api.MapPost("/release", Release).WithSummary("Give the current lease back to the queue.");
    }

    static async Task<IResult> Next(string campaignId, string annotatorId, HttpContext http, IGrainFactory grains)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        Json.RequireId(annotatorId, "annotatorId");
        var work = await grains.GetGrain<IAnnotatorGrain>(annotatorId).RequestWork(campaignId);
        if (work is null)
        {
            http.Response.Headers.RetryAfter = "1";
            return Results.NoContent();
        }
        if (work.CampaignId != campaignId)
            throw new ApiProblemException(409, RejectionCodes.LeaseNotHeld, "annotatorId",
                $"Annotator {annotatorId} holds a lease in campaign {work.CampaignId}; release it first.");
        var (_, instanceId) = AnnotationKeys.ParseInstance(work.InstanceKey);
        var spec = work.Spec;
        info.Settings.ClassPolicies.TryGetValue(spec.ClassName, out var policy);
        var imageUrl = "/api/v1/images/" + Uri.EscapeDataString(campaignId) + "/" + string.Join('/', spec.ImagePath.Split('/').Select(Uri.EscapeDataString));
        return Results.Ok(new TaskDto(campaignId, instanceId, work.Round, imageUrl, spec.ImageWidth, spec.ImageHeight, BoxDto.From(spec.Box),
            spec.ClassName, policy, work.CurrentMask is null ? null : MaskDto.From(work.CurrentMask),
            work.EarlierClicks.Select(c => new EarlierClickDto(c.Round, c.X, c.Y, Json.EnumName(c.Label))).ToArray(),
            spec.MaxClicksPerRound, work.LeaseExpiresAt));
    }

    static async Task<SubmissionDto> Submit(string campaignId, string annotatorId, string instanceId, HttpRequest request, IGrainFactory grains, CancellationToken cancellation)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        Json.RequireId(annotatorId, "annotatorId");
        Json.RequireId(instanceId, "instanceId");
        var body = await Json.ReadBody<SubmitRequest>(request, cancellation);
        Json.RequireId(body.SubmissionId, "submissionId");
        var round = body.Round ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "round", "round is missing.");
        var seconds = body.SecondsSpent ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "secondsSpent", "secondsSpent is missing.");
        var submission = new Submission(body.SubmissionId!, annotatorId, round, Json.Clicks(body.Clicks), Skip: false, seconds);
        return Dto(instanceId, await grains.GetGrain<IAnnotatorGrain>(annotatorId).Submit(AnnotationKeys.Instance(campaignId, instanceId), submission));
    }

    static async Task<SubmissionDto> Skip(string campaignId, string annotatorId, string instanceId, HttpRequest request, IGrainFactory grains, CancellationToken cancellation)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        Json.RequireId(annotatorId, "annotatorId");
        Json.RequireId(instanceId, "instanceId");
        var body = await Json.ReadBody<SkipRequest>(request, cancellation);
        Json.RequireId(body.SubmissionId, "submissionId");
        var round = body.Round ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "round", "round is missing.");
        var seconds = body.SecondsSpent ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "secondsSpent", "secondsSpent is missing.");
        var submission = new Submission(body.SubmissionId!, annotatorId, round, [], Skip: true, seconds);
        return Dto(instanceId, await grains.GetGrain<IAnnotatorGrain>(annotatorId).Submit(AnnotationKeys.Instance(campaignId, instanceId), submission));
    }

    static readonly TimeSpan SlowPreview = TimeSpan.FromSeconds(1);

    static async Task<PreviewDto> Preview(string campaignId, string annotatorId, string instanceId, HttpRequest request, IGrainFactory grains,
        ILoggerFactory loggers, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        Json.RequireId(campaignId, "campaignId");
        Json.RequireId(annotatorId, "annotatorId");
        Json.RequireId(instanceId, "instanceId");
        var body = await Json.ReadBody<PreviewRequest>(request, cancellation);
        var round = body.Round ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "round", "round is missing.");
        var clicks = Json.Clicks(body.Clicks);
        var instance = grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, instanceId));
        var result = await instance.Preview(annotatorId, round, clicks);
        var t = result.Answer.Timing;
        if (watch.Elapsed > SlowPreview)
            loggers.CreateLogger("Preview").LogWarning(
                "Slow preview of {InstanceId}: {ServerMs:F0} ms in the gateway, {ModelMs:F0} ms in the inference grain ({QueueMs:F0} queued, {EncoderMs:F0} encoding, {DecoderMs:F0} decoding, {ReplayedRounds} rounds rebuilt)",
                instanceId, watch.Elapsed.TotalMilliseconds, t.TotalMs, t.QueueMs, t.EncoderMs, t.DecoderMs, t.ReplayedRounds);
        return new PreviewDto(MaskDto.From(result.Answer.Mask), result.Answer.ModelScore,
            new TimingDto(t.EncoderMs, t.DecoderMs, t.DecoderRuns, t.QueueMs, t.TotalMs, watch.Elapsed.TotalMilliseconds, t.ReplayedRounds));
    }

    static async Task<ReleaseDto> Release(string campaignId, string annotatorId, IGrainFactory grains)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        Json.RequireId(annotatorId, "annotatorId");
        return new ReleaseDto(await grains.GetGrain<IAnnotatorGrain>(annotatorId).ReleaseWork());
    }

    static SubmissionDto Dto(string instanceId, SubmissionResult r) => new(
        r.SubmissionId, instanceId, r.Round,
        r.Outcome switch { SubmissionOutcome.NeedsModel => "corrected", SubmissionOutcome.Accepted => "accepted", _ => "skipped" },
        r.ClickCount, Json.EnumName(r.StatusAfter));
}
