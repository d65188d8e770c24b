using System.Diagnostics;
using ApiGateway.Security;
using Grains.Interfaces;

namespace ApiGateway.Api;

/// <summary>
/// Annotation work for the signed-in user, who must be a member of the campaign. The older paths that name the annotator
/// in the URL stay for scripts, and refuse any annotator id but the caller's.
/// </summary>
public static class AnnotatorEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/api/v1/campaigns/{campaignId}/tasks").WithTags("Annotator").RequireAuthorization(Policies.CampaignMember);
        tasks.MapPost("/next", (string campaignId, HttpContext http, IGrainFactory grains) => Next(campaignId, http.User.UserName(), http, grains))
            .WithSummary("The signed-in annotator's current task, or a new lease; 204 when there is nothing right now.");
        tasks.MapPost("/{instanceId}/submit", (string campaignId, string instanceId, bool? next, HttpContext http, IGrainFactory grains, CancellationToken c) =>
                Submit(campaignId, http.User.UserName(), instanceId, next, http, grains, c))
            .WithSummary("0 clicks accepts the mask; clicks ask the model for the next one. With next=true the answer carries the following task.");
        tasks.MapPost("/{instanceId}/skip", (string campaignId, string instanceId, bool? next, HttpContext http, IGrainFactory grains, CancellationToken c) =>
                Skip(campaignId, http.User.UserName(), instanceId, next, http, grains, c))
            .WithSummary("The object cannot be annotated (with a reason); it is excluded.");
        tasks.MapPost("/{instanceId}/preview", (string campaignId, string instanceId, HttpContext http, IGrainFactory grains, ILoggerFactory loggers, CancellationToken c) =>
                Preview(campaignId, http.User.UserName(), instanceId, http.Request, grains, loggers, c))
            .WithSummary("The mask for tentative clicks, nothing stored.");
        tasks.MapPost("/release", (string campaignId, HttpContext http, IGrainFactory grains) => Release(campaignId, http.User.UserName(), grains))
            .WithSummary("Give the current lease back to the queue.");

        var named = app.MapGroup("/api/v1/campaigns/{campaignId}/annotators/{annotatorId}").WithTags("Annotator")
            .RequireAuthorization(Policies.CampaignMember).AddEndpointFilter(OnlyTheCaller);
        named.MapPost("/next", (string campaignId, string annotatorId, HttpContext http, IGrainFactory grains) => Next(campaignId, annotatorId, http, grains))
            .WithSummary("As tasks/next; annotatorId must be the caller's user name.");
        named.MapPost("/tasks/{instanceId}/submit", (string campaignId, string annotatorId, string instanceId, bool? next, HttpContext http, IGrainFactory grains, CancellationToken c) =>
            Submit(campaignId, annotatorId, instanceId, next, http, grains, c));
        named.MapPost("/tasks/{instanceId}/skip", (string campaignId, string annotatorId, string instanceId, bool? next, HttpContext http, IGrainFactory grains, CancellationToken c) =>
            Skip(campaignId, annotatorId, instanceId, next, http, grains, c));
        named.MapPost("/tasks/{instanceId}/preview", (string campaignId, string annotatorId, string instanceId, HttpContext http, IGrainFactory grains, ILoggerFactory loggers, CancellationToken c) =>
            Preview(campaignId, annotatorId, instanceId, http.Request, grains, loggers, c));
        named.MapPost("/release", (string campaignId, string annotatorId, IGrainFactory grains) => Release(campaignId, annotatorId, grains));
    }

    static ValueTask<object?> OnlyTheCaller(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var named = http.GetRouteValue("annotatorId") as string;
        if (!string.Equals(named, http.User.UserName(), StringComparison.Ordinal))
            throw new ApiProblemException(403, "forbidden", "annotatorId",
                $"You are signed in as {http.User.UserName()}; you may not act as annotator '{ProblemText.Shorten(named)}'.");
        return next(context);
    }

    static async Task<IResult> Next(string campaignId, string annotatorId, HttpContext http, IGrainFactory grains)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var task = await Lease(info, annotatorId, grains);
        if (task is null)
        {
            http.Response.Headers.RetryAfter = "1";
            return Results.NoContent();
        }
        return Results.Ok(task);
    }

    static async Task<TaskDto?> Lease(CampaignInfo info, string annotatorId, IGrainFactory grains)
    {
        var campaignId = info.CampaignId;
        var work = await grains.GetGrain<IAnnotatorGrain>(annotatorId).RequestWork(campaignId);
        if (work is null) return null;
        if (work.CampaignId != campaignId)
            throw new ApiProblemException(409, RejectionCodes.LeaseNotHeld, "annotatorId",
                $"Annotator {annotatorId} holds a lease in campaign {work.CampaignId}; release it first.");
        var (_, instanceId) = AnnotationKeys.ParseInstance(work.InstanceKey);
        var spec = work.Spec;
        info.Settings.ClassPolicies.TryGetValue(spec.ClassName, out var policy);
        return new TaskDto(campaignId, instanceId, work.Round, ImageEndpoints.Url(campaignId, spec.ImagePath), spec.ImageWidth, spec.ImageHeight, BoxDto.From(spec.Box),
            spec.ClassName, policy, work.CurrentMask is null ? null : MaskDto.From(work.CurrentMask),
            work.EarlierClicks.Select(c => new EarlierClickDto(c.Round, c.X, c.Y, Json.EnumName(c.Label))).ToArray(),
            spec.MaxClicksPerRound, work.LeaseExpiresAt);
    }

    static async Task<SubmissionDto> Submit(string campaignId, string annotatorId, string instanceId, bool? next, HttpContext http,
        IGrainFactory grains, CancellationToken cancellation)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        Json.RequireId(instanceId, "instanceId");
        var body = await Json.ReadBody<SubmitRequest>(http.Request, cancellation);
        Json.RequireId(body.SubmissionId, "submissionId");
        var round = body.Round ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "round", "round is missing.");
        var seconds = body.SecondsSpent ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "secondsSpent", "secondsSpent is missing.");
        var submission = new Submission(body.SubmissionId!, annotatorId, round, Json.Clicks(body.Clicks), Skip: false, seconds,
            Trajectory: Trajectory(body.Trajectory));
        var result = await grains.GetGrain<IAnnotatorGrain>(annotatorId).Submit(AnnotationKeys.Instance(campaignId, instanceId), submission);
        return await WithNext(Dto(instanceId, result), next, info, annotatorId, grains);
    }

    static async Task<SubmissionDto> Skip(string campaignId, string annotatorId, string instanceId, bool? next, HttpContext http,
        IGrainFactory grains, CancellationToken cancellation)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        Json.RequireId(instanceId, "instanceId");
        var body = await Json.ReadBody<SkipRequest>(http.Request, cancellation);
        Json.RequireId(body.SubmissionId, "submissionId");
        var round = body.Round ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "round", "round is missing.");
        var seconds = body.SecondsSpent ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "secondsSpent", "secondsSpent is missing.");
        if (body.Reason is not null && !SkipReasons.All.Contains(body.Reason))
            throw new ApiProblemException(400, RejectionCodes.Invalid, "reason",
                $"reason must be one of {string.Join(", ", SkipReasons.All)}, got '{ProblemText.Shorten(body.Reason)}'.");
        var submission = new Submission(body.SubmissionId!, annotatorId, round, [], Skip: true, seconds, body.Reason, Trajectory(body.Trajectory));
        var result = await grains.GetGrain<IAnnotatorGrain>(annotatorId).Submit(AnnotationKeys.Instance(campaignId, instanceId), submission);
        return await WithNext(Dto(instanceId, result), next, info, annotatorId, grains);
    }

    /// <summary>
    /// With next=true the following task is leased in the same call, so the page can draw it without another round trip.
    /// The answer is stored by then: a refused lease (paused campaign, disqualified annotator) gives no next task, not an error.
    /// </summary>
    static async Task<SubmissionDto> WithNext(SubmissionDto answer, bool? next, CampaignInfo info, string annotatorId, IGrainFactory grains)
    {
        if (next != true) return answer;
        try
        {
            return answer with { Next = await Lease(info, annotatorId, grains) };
        }
        catch (Exception e) when (e is AnnotationRejectedException or ApiProblemException)
        {
            return answer with { NextRefused = e is AnnotationRejectedException r ? r.Code : ((ApiProblemException)e).Code };
        }
    }

    static MouseTrajectory? Trajectory(List<List<double>?>? points)
    {
        if (points is null) return null;
        if (points.Count > MouseTrajectory.MaxPoints)
            throw new ApiProblemException(400, RejectionCodes.Invalid, "trajectory",
                $"The trajectory has {points.Count} points; at most {MouseTrajectory.MaxPoints} are kept (send the latest).");
        var samples = new int[points.Count * 3];
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            if (p is not { Count: 3 } || p.Any(v => !double.IsFinite(v) || Math.Abs(v) > 1e9))
                throw new ApiProblemException(400, RejectionCodes.Invalid, $"trajectory[{i}]", "A trajectory point is [milliseconds, x, y] with finite numbers.");
            for (var k = 0; k < 3; k++) samples[i * 3 + k] = (int)Math.Round(p[k]);
        }
        return new MouseTrajectory(samples);
    }

    static readonly TimeSpan SlowPreview = TimeSpan.FromSeconds(1);

    static async Task<PreviewDto> Preview(string campaignId, string annotatorId, string instanceId, HttpRequest request, IGrainFactory grains,
        ILoggerFactory loggers, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        Json.RequireId(campaignId, "campaignId");
        Json.RequireId(instanceId, "instanceId");
        var body = await Json.ReadBody<PreviewRequest>(request, cancellation);
        var round = body.Round ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "round", "round is missing.");
        var clicks = Json.Clicks(body.Clicks);
        var result = await grains.GetGrain<IAnnotatorGrain>(annotatorId).Preview(AnnotationKeys.Instance(campaignId, instanceId), round, clicks);
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
        var annotator = grains.GetGrain<IAnnotatorGrain>(annotatorId);
        // A lease in another campaign is not this route's to give back.
        if ((await annotator.GetLease())?.CampaignId is { } leased && leased != campaignId) return new ReleaseDto(false);
        return new ReleaseDto(await annotator.ReleaseWork());
    }

    static SubmissionDto Dto(string instanceId, SubmissionResult r) => new(
        r.SubmissionId, instanceId, r.Round,
        r.Outcome switch { SubmissionOutcome.NeedsModel => "corrected", SubmissionOutcome.Accepted => "accepted", _ => "skipped" },
        r.ClickCount, Json.EnumName(r.StatusAfter));
}
