using System.Globalization;
using ApiGateway.Security;
using Grains.Interfaces;

namespace ApiGateway.Api;

/// <summary>
/// The automated qualification tests: managers set one per kind; any signed-in account takes them for itself. The
/// images of a test's items are served to the account taking it, one item at a time, whatever campaign they belong to.
/// </summary>
public static class QualificationEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var manage = app.MapGroup("/api/v1/qualifications/{kind}").WithTags("Manager").RequireAuthorization(Policies.Manager);
        manage.MapPut("", SetTest).WithSummary("Set the test of a kind (corrective or painting): items with a reference mask, pass thresholds, waiting time.");
        manage.MapGet("", GetTest).WithSummary("The test of a kind; 404 when none is set.");

        app.MapGet("/api/v1/me/qualifications", Statuses).WithTags("Qualification").RequireAuthorization(Policies.SignedIn)
            .WithSummary("For each kind: whether the caller holds it, the test, the attempt under way, the last result and when a retry is possible.");
        var me = app.MapGroup("/api/v1/me/qualifications/{kind}").WithTags("Qualification").RequireAuthorization(Policies.SignedIn);
        me.MapPost("/next", Next).WithSummary("The current item of the caller's attempt, starting one when none is under way.");
        me.MapGet("/items/{item:int}/image", Image).WithSummary("The image of an item the caller's attempt has reached.");
        me.MapPost("/items/{item:int}/preview", Preview).WithSummary("The model's mask for tentative clicks on the current corrective item.");
        me.MapPost("/items/{item:int}/submit", Submit).WithSummary("Answers the current item; the feedback shows its score, and after the last item the result.");
    }

    static string RequireKind(string kind) => QualificationKinds.All.Contains(kind) ? kind
        : throw new ApiProblemException(404, RejectionCodes.NotInitialized, "kind", $"'{ProblemText.Shorten(kind)}' is not a qualification kind ({string.Join(", ", QualificationKinds.All)}).");

    static IQualificationAttemptGrain Attempt(IGrainFactory grains, string kind, HttpContext http) =>
        grains.GetGrain<IQualificationAttemptGrain>($"{RequireKind(kind)}/{http.User.UserName()}");

    static async Task<QualificationTestDto> SetTest(string kind, HttpRequest request, IGrainFactory grains, CancellationToken cancellation)
    {
        RequireKind(kind);
        var body = await Json.ReadBody<QualificationTestRequest>(request, cancellation);
        if (body.Items is null) throw new ApiProblemException(400, RejectionCodes.Invalid, "items", "items ([{campaignId, instanceId}, ...]) is missing.");
        var keys = new List<string>(body.Items.Count);
        for (var i = 0; i < body.Items.Count; i++)
        {
            var item = body.Items[i] ?? throw new ApiProblemException(400, RejectionCodes.Invalid, $"items[{i}]", "An item is missing.");
            Json.RequireId(item.CampaignId, $"items[{i}].campaignId");
            Json.RequireId(item.InstanceId, $"items[{i}].instanceId");
            keys.Add(AnnotationKeys.Instance(item.CampaignId!, item.InstanceId!));
        }
        var minIoU = body.MinMeanIoU ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "minMeanIoU", "minMeanIoU (0..1) is missing.");
        var minutes = body.RetryAfterMinutes ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "retryAfterMinutes", "retryAfterMinutes is missing.");
        if (!double.IsFinite(minutes) || minutes < 0 || minutes > QualificationTest.MaxRetryAfter.TotalMinutes)
            throw new ApiProblemException(400, RejectionCodes.Invalid, "retryAfterMinutes", $"retryAfterMinutes {minutes} is outside [0, {QualificationTest.MaxRetryAfter.TotalMinutes}].");
        var test = await grains.GetGrain<IQualificationTestGrain>(kind)
            .Set(new QualificationTest(kind, keys, minIoU, body.MinRightPolarityShare, TimeSpan.FromMinutes(minutes)));
        return Dto(test);
    }

    static async Task<QualificationTestDto> GetTest(string kind, IGrainFactory grains) =>
        Dto(await grains.GetGrain<IQualificationTestGrain>(RequireKind(kind)).Get()
            ?? throw new ApiProblemException(404, RejectionCodes.NotInitialized, "kind", $"No {kind} qualification test is set."));

    static QualificationTestDto Dto(QualificationTest t) => new(t.Kind,
        t.InstanceKeys.Select(k => AnnotationKeys.ParseInstance(k)).Select(p => new QualificationItemRef(p.CampaignId, p.InstanceId)).ToArray(),
        t.MinMeanIoU, t.MinRightPolarityShare, t.RetryAfter.TotalMinutes);

    static async Task<IReadOnlyList<QualificationStatusDto>> Statuses(HttpContext http, IGrainFactory grains)
    {
        var statuses = new List<QualificationStatusDto>();
        foreach (var kind in QualificationKinds.All)
        {
            var s = await Attempt(grains, kind, http).GetStatus();
            statuses.Add(new QualificationStatusDto(s.Kind, s.Qualified, s.TestItems > 0, s.TestItems,
                s.AttemptItem is { } item ? new QualificationAttemptDto(item, s.AttemptAnswered) : null, s.RetryAt, Result(s.LastResult)));
        }
        return statuses;
    }

    static QualificationResultDto? Result(QualificationResult? r) =>
        r is null ? null : new QualificationResultDto(r.Passed, r.MeanIoU, r.RightPolarityShare, r.At, r.RetryAt);

    static async Task<QualificationItemDto> Next(string kind, HttpContext http, IGrainFactory grains)
    {
        var attempt = Attempt(grains, kind, http);
        QualificationItemTask task;
        try
        {
            task = await attempt.Next();
        }
        catch (AnnotationRejectedException e) when (e.Code == RejectionCodes.RetryLater)
        {
            if ((await attempt.GetStatus()).RetryAt is { } at)
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((at - DateTimeOffset.UtcNow).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            throw;
        }
        var (campaignId, _) = AnnotationKeys.ParseInstance(task.InstanceKey);
        var info = await grains.GetGrain<ICampaignGrain>(campaignId).GetInfo();
        var spec = task.Spec;
        info.Settings.ClassPolicies.TryGetValue(spec.ClassName, out var policy);
        return new QualificationItemDto(task.Kind, task.Item, task.Of, 1,
            $"/api/v1/me/qualifications/{task.Kind}/items/{task.Item.ToString(CultureInfo.InvariantCulture)}/image",
            spec.ImageWidth, spec.ImageHeight, BoxDto.From(spec.Box), spec.ClassName, policy, task.Mask is null ? null : MaskDto.From(task.Mask), [],
            spec.MaxClicksPerRound);
    }

    static async Task<IResult> Image(string kind, int item, HttpContext http, IGrainFactory grains, ImageRoots imageRoots)
    {
        var key = await Attempt(grains, kind, http).ItemInstance(item)
            ?? throw new ApiProblemException(404, RejectionCodes.NotInitialized, "item", $"Your attempt has no item {item} yet.");
        var (campaignId, _) = AnnotationKeys.ParseInstance(key);
        var spec = (await grains.GetGrain<IInstanceGrain>(key).GetState()).Spec
            ?? throw new ApiProblemException(404, RejectionCodes.NotInitialized, "item", $"Item {item} no longer exists.");
        return ImageEndpoints.Serve(http, imageRoots, await ManagerEndpoints.RequireCampaign(grains, campaignId), spec.ImagePath);
    }

    static async Task<QualificationPreviewDto> Preview(string kind, int item, HttpContext http, IGrainFactory grains, CancellationToken cancellation)
    {
        var body = await Json.ReadBody<QualificationSubmitRequest>(http.Request, cancellation);
        var result = await Attempt(grains, kind, http).Preview(item, Json.Clicks(body.Clicks));
        return new QualificationPreviewDto(MaskDto.From(result.Answer.Mask));
    }

    static async Task<QualificationFeedbackDto> Submit(string kind, int item, HttpContext http, IGrainFactory grains, CancellationToken cancellation)
    {
        var attempt = Attempt(grains, kind, http);
        var body = await Json.ReadBody<QualificationSubmitRequest>(http.Request, cancellation);
        var seconds = body.SecondsSpent ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "secondsSpent", "secondsSpent is missing.");
        var answer = kind == QualificationKinds.Painting
            ? new QualificationAnswer(null, PaintingEndpoints.Mask(body.Mask), seconds)
            : new QualificationAnswer(Json.Clicks(body.Clicks), null, seconds);
        var f = await attempt.Submit(item, answer);
        var key = await attempt.ItemInstance(item) ?? throw new ApiProblemException(409, RejectionCodes.WrongRound, "item", $"Item {item} is not part of your attempt.");
        var reference = (await grains.GetGrain<IInstanceGrain>(key).GetReference()).Reference
            ?? throw new ApiProblemException(409, RejectionCodes.WrongStatus, "item", $"Item {item} has lost its reference mask.");
        return new QualificationFeedbackDto(f.Item, f.Of, f.IoU, f.SecondsSpent,
            f.Clicks.Select(c => new JudgedClickDto(c.X, c.Y, Json.EnumName(c.Label), c.Verdict)).ToArray(),
            f.SuggestedClicks.Select(c => new SuggestedClickDto(c.X, c.Y, Json.EnumName(c.Label))).ToArray(),
            MaskDto.From(reference), f.Result is not null, Result(f.Result));
    }
}
