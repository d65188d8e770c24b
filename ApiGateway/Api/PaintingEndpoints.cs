using ApiGateway.Security;
using Grains.Interfaces;

namespace ApiGateway.Api;

/// <summary>
/// Painting reference masks from scratch, for members with the painting qualification, and each instance's reference for
/// managers. Painting tasks are leased like annotation tasks: one task at a time per person, over both kinds.
/// </summary>
public static class PaintingEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var paint = app.MapGroup("/api/v1/campaigns/{campaignId}/paint").WithTags("Painter").RequireAuthorization(Policies.CampaignMember);
        paint.MapPost("/next", Next)
            .WithSummary("The signed-in painter's current painting task, or a new lease; 204 when there is nothing to paint right now.");
        paint.MapPost("/{instanceId}/submit", Submit)
            .WithSummary("The painted mask (COCO compressed RLE of the whole image). With next=true the answer carries the following task.");
        paint.MapPost("/{instanceId}/skip", Skip).WithSummary("The object cannot be painted (with a reason).");
        paint.MapPost("/release", Release).WithSummary("Give the current painting task back to the queue.");

        app.MapGet("/api/v1/campaigns/{campaignId}/instances/{instanceId}/reference", GetReference).WithTags("Manager")
            .RequireAuthorization(Policies.Manager)
            .WithSummary("The instance's reference mask (painted or imported) and every painting answer; 404 when it has none yet.");
    }

    static async Task<IResult> Next(string campaignId, HttpContext http, IGrainFactory grains)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var task = await Lease(info, http.User.UserName(), grains);
        if (task is not null) return Results.Ok(task);
        http.Response.Headers.RetryAfter = "1";
        return Results.NoContent();
    }

    static async Task<PaintTaskDto?> Lease(CampaignInfo info, string painterId, IGrainFactory grains)
    {
        var work = await grains.GetGrain<IAnnotatorGrain>(painterId).RequestPainting(info.CampaignId);
        if (work is null) return null;
        if (work.CampaignId != info.CampaignId)
            throw new ApiProblemException(409, RejectionCodes.LeaseNotHeld, "annotatorId",
                $"You hold a painting task in campaign {work.CampaignId}; submit or release it first.");
        var (_, instanceId) = AnnotationKeys.ParseInstance(work.InstanceKey);
        var spec = work.Spec;
        info.Settings.ClassPolicies.TryGetValue(spec.ClassName, out var policy);
        return new PaintTaskDto(info.CampaignId, instanceId, work.Pass, ImageEndpoints.Url(info.CampaignId, spec.ImagePath), spec.ImageWidth,
            spec.ImageHeight, BoxDto.From(spec.Box), spec.ClassName, policy, work.LeaseExpiresAt);
    }

    static async Task<PaintResultDto> Submit(string campaignId, string instanceId, bool? next, HttpContext http, IGrainFactory grains,
        CancellationToken cancellation)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        Json.RequireId(instanceId, "instanceId");
        var body = await Json.ReadBody<PaintSubmitRequest>(http.Request, cancellation);
        Json.RequireId(body.SubmissionId, "submissionId");
        var seconds = body.SecondsSpent ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "secondsSpent", "secondsSpent is missing.");
        var mask = Mask(body.Mask);
        var painter = http.User.UserName();
        var submission = new PaintingSubmission(body.SubmissionId!, painter, 0, mask, seconds);
        return await Answer(info, instanceId, submission, next, grains);
    }

    static async Task<PaintResultDto> Skip(string campaignId, string instanceId, bool? next, HttpContext http, IGrainFactory grains,
        CancellationToken cancellation)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        Json.RequireId(instanceId, "instanceId");
        var body = await Json.ReadBody<PaintSkipRequest>(http.Request, cancellation);
        Json.RequireId(body.SubmissionId, "submissionId");
        var seconds = body.SecondsSpent ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "secondsSpent", "secondsSpent is missing.");
        if (body.Reason is null || !SkipReasons.All.Contains(body.Reason))
            throw new ApiProblemException(400, RejectionCodes.Invalid, "reason",
                $"reason must be one of {string.Join(", ", SkipReasons.All)}, got '{ProblemText.Shorten(body.Reason)}'.");
        var submission = new PaintingSubmission(body.SubmissionId!, http.User.UserName(), 0, null, seconds, body.Reason);
        return await Answer(info, instanceId, submission, next, grains);
    }

    static async Task<PaintResultDto> Answer(CampaignInfo info, string instanceId, PaintingSubmission submission, bool? next, IGrainFactory grains)
    {
        var painter = grains.GetGrain<IAnnotatorGrain>(submission.PainterId);
        var r = await painter.SubmitPainting(AnnotationKeys.Instance(info.CampaignId, instanceId), submission);
        var answer = new PaintResultDto(r.SubmissionId, instanceId, r.Skipped, r.Paintings, r.HasReference);
        if (next != true) return answer;
        try
        {
            return answer with { Next = await Lease(info, submission.PainterId, grains) };
        }
        catch (Exception e) when (e is AnnotationRejectedException or ApiProblemException)
        {
            // The answer is stored by then: a refused lease gives no next task, not an error.
            return answer with { NextRefused = e is AnnotationRejectedException x ? x.Code : ((ApiProblemException)e).Code };
        }
    }

    public static MaskRle Mask(MaskRequest? mask)
    {
        if (mask is null) throw new ApiProblemException(400, RejectionCodes.Invalid, "mask", "mask ({size: [height, width], counts}) is missing.");
        if (mask.Size is not [var height, var width] || height < 1 || width < 1)
            throw new ApiProblemException(400, RejectionCodes.Invalid, "mask.size", "mask.size is [height, width] in pixels.");
        if (string.IsNullOrEmpty(mask.Counts))
            throw new ApiProblemException(400, RejectionCodes.Invalid, "mask.counts", "mask.counts (COCO compressed RLE) is missing.");
        return new MaskRle(height, width, mask.Counts);
    }

    static async Task<IResult> Release(string campaignId, HttpContext http, IGrainFactory grains)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var painter = grains.GetGrain<IAnnotatorGrain>(http.User.UserName());
        // Only a painting task of this campaign is this route's to give back.
        if (await painter.GetLease() is not { IsPainting: true } lease || lease.CampaignId != campaignId) return Results.Ok(new ReleaseDto(false));
        return Results.Ok(new ReleaseDto(await painter.ReleaseWork()));
    }

    static async Task<ReferenceDto> GetReference(string campaignId, string instanceId, IGrainFactory grains)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        Json.RequireId(instanceId, "instanceId");
        var instance = grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, instanceId));
        if ((await instance.GetState()).Spec is null)
            throw new ApiProblemException(404, RejectionCodes.NotInitialized, "instanceId", $"Instance {instanceId} does not exist in campaign {campaignId}.");
        var view = await instance.GetReference();
        if (view.Reference is null)
            throw new ApiProblemException(404, RejectionCodes.NotInitialized, "instanceId",
                $"Instance {instanceId} has no reference mask yet ({view.Paintings.Count} of {view.PaintingsWanted} paintings done).");
        return new ReferenceDto(MaskDto.From(view.Reference), view.Painted ? "painted" : "imported", view.PaintingsWanted,
            view.Paintings.Select(p => new PaintingDto(p.Pass, p.PainterId, p.SecondsSpent, p.At, p.Mask is null ? null : MaskDto.From(p.Mask), p.SkipReason))
                .ToArray());
    }
}
