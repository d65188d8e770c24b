using ApiGateway.Security;
using Grains.Interfaces;

namespace ApiGateway.Api;

public static class ManagerEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/campaigns", ListCampaigns).WithTags("Campaigns").RequireAuthorization(Policies.SignedIn)
            .WithSummary("Managers see every campaign; annotators the campaigns they are members of.");
        app.MapGet("/api/v1/campaigns/{campaignId}", GetCampaign).WithTags("Campaigns").RequireAuthorization(Policies.CampaignMember);

        var api = app.MapGroup("/api/v1").WithTags("Manager").RequireAuthorization(Policies.Manager);
        api.MapPost("/campaigns", CreateCampaign).WithSummary("Create a campaign (idempotent for identical settings).");
        api.MapPost("/campaigns/{campaignId}/start", (string campaignId, IGrainFactory grains) => Transition(campaignId, grains, c => c.Start()))
            .WithSummary("Start: round-0 masks are computed in the background and instances enter round 1 as they get them.");
        api.MapPost("/campaigns/{campaignId}/pause", (string campaignId, IGrainFactory grains) => Transition(campaignId, grains, c => c.Pause()));
        api.MapPost("/campaigns/{campaignId}/resume", (string campaignId, IGrainFactory grains) => Transition(campaignId, grains, c => c.Resume()));
        api.MapPost("/campaigns/{campaignId}/finish", (string campaignId, IGrainFactory grains) => Transition(campaignId, grains, c => c.Finish()));
        api.MapGet("/campaigns/{campaignId}/progress", GetProgress);
        api.MapGet("/campaigns/{campaignId}/annotators", ListAnnotators);
        api.MapGet("/campaigns/{campaignId}/instances/{instanceId}", GetInstance);
        api.MapPut("/annotators/{annotatorId}/qualification", SetQualification);
        api.MapGet("/annotators/{annotatorId}", GetAnnotator);
    }

    public static async Task<CampaignInfo> RequireCampaign(IGrainFactory grains, string campaignId)
    {
        Json.RequireId(campaignId, "campaignId");
        var info = await grains.GetGrain<ICampaignGrain>(campaignId).GetInfo();
        if (info.Status == CampaignStatus.None)
            throw new ApiProblemException(404, RejectionCodes.NotInitialized, "campaignId", $"Campaign {campaignId} does not exist.");
        return info;
    }

    static async Task<IResult> CreateCampaign(HttpRequest request, IGrainFactory grains, ImageRoots imageRoots, CancellationToken cancellation)
    {
        var body = await Json.ReadBody<CreateCampaignRequest>(request, cancellation);
        Json.RequireCampaignId(body.Id, "id");
        var requestedRoot = Limits.Text(body.ImageRoot, "imageRoot", Limits.MaxPathLength)
            ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "imageRoot", "imageRoot (the folder the images are under) is missing.");
        var root = imageRoots.Admit(requestedRoot)
            ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "imageRoot",
                $"Image root '{ProblemText.Shorten(requestedRoot)}' is not inside the server's image roots ({string.Join(", ", imageRoots.Roots)}).");
        if (!Directory.Exists(root))
            throw new ApiProblemException(400, RejectionCodes.Invalid, "imageRoot", $"Image root '{ProblemText.Shorten(requestedRoot)}' is not a folder on the server.");
        var defaults = new CampaignSettings();
        if (body.LeaseSeconds is { } lease && !(double.IsFinite(lease) && lease > 0 && lease <= 86400))
            throw new ApiProblemException(400, RejectionCodes.Invalid, "leaseSeconds", $"leaseSeconds {lease} is outside (0, 86400].");
        var settings = new CampaignSettings
        {
            ImageRoot = root,
            Rounds = body.Rounds ?? defaults.Rounds,
            MaxClicksPerRound = body.MaxClicksPerRound ?? defaults.MaxClicksPerRound,
            MinClickRegionPixels = body.MinClickRegionPixels ?? defaults.MinClickRegionPixels,
            ModelName = Limits.Text(body.Model, "model", Limits.MaxNameLength) ?? defaults.ModelName,
            ShardCount = body.Shards ?? defaults.ShardCount,
            LeaseDuration = body.LeaseSeconds is { } s ? TimeSpan.FromSeconds(s) : defaults.LeaseDuration,
            GroundTruthFraction = body.GroundTruthFraction ?? defaults.GroundTruthFraction,
            ReprioritizeBelowIoU = body.ReprioritizeBelowIoU ?? defaults.ReprioritizeBelowIoU,
            ReferenceFraction = body.ReferenceFraction ?? defaults.ReferenceFraction,
            DoublePaintingFraction = body.DoublePaintingFraction ?? defaults.DoublePaintingFraction,
            GoldRate = body.GoldRate ?? defaults.GoldRate,
            ClassPolicies = ClassPolicies(body.ClassPolicies),
        };
        var campaign = grains.GetGrain<ICampaignGrain>(body.Id!);
        var existed = (await campaign.GetInfo()).Status != CampaignStatus.None;
        var info = await campaign.Create(settings);
        var dto = CampaignDto.From(info);
        return existed ? Results.Ok(dto) : Results.Created($"/api/v1/campaigns/{Uri.EscapeDataString(info.CampaignId)}", dto);
    }

    static Dictionary<string, string> ClassPolicies(Dictionary<string, string>? policies)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (policies is null) return result;
        if (policies.Count > Limits.MaxClasses)
            throw new ApiProblemException(400, RejectionCodes.Invalid, "classPolicies", $"{policies.Count} class policies; at most {Limits.MaxClasses}.");
        foreach (var (name, text) in policies)
        {
            var field = $"classPolicies.{ProblemText.Shorten(name, 40)}";
            var className = Limits.Text(name, "classPolicies", Limits.MaxClassNameLength)
                ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "classPolicies", "A class policy needs a class name.");
            result[className] = Limits.Text(text, field, Limits.MaxPolicyLength) ?? "";
        }
        return result;
    }

    static async Task<CampaignListDto> ListCampaigns(HttpContext http, IGrainFactory grains)
    {
        var ids = await grains.GetGrain<ICampaignDirectoryGrain>(0).List();
        var user = http.User;
        if (!user.IsManager())
        {
            var member = await Task.WhenAll(ids.Select(id => grains.GetGrain<ICampaignMembersGrain>(id).Contains(user.UserName())));
            ids = ids.Where((_, i) => member[i]).ToArray();
        }
        var infos = await Task.WhenAll(ids.Select(id => grains.GetGrain<ICampaignGrain>(id).GetInfo()));
        return new CampaignListDto(infos.Select(info => ForCaller(CampaignDto.From(info), user)).ToArray());
    }

    static async Task<CampaignDto> GetCampaign(string campaignId, HttpContext http, IGrainFactory grains) =>
        ForCaller(CampaignDto.From(await RequireCampaign(grains, campaignId)), http.User);

    /// <summary>Annotators do not see where on the server the images are.</summary>
    static CampaignDto ForCaller(CampaignDto campaign, System.Security.Claims.ClaimsPrincipal user) =>
        user.IsManager() ? campaign : campaign with { ImageRoot = null };

    static async Task<CampaignDto> Transition(string campaignId, IGrainFactory grains, Func<ICampaignGrain, Task<CampaignInfo>> move)
    {
        await RequireCampaign(grains, campaignId);
        return CampaignDto.From(await move(grains.GetGrain<ICampaignGrain>(campaignId)));
    }

    static async Task<ProgressDto> GetProgress(string campaignId, IGrainFactory grains)
    {
        await RequireCampaign(grains, campaignId);
        return ProgressDto.From(await grains.GetGrain<ICampaignGrain>(campaignId).GetProgress());
    }

    static async Task<AnnotatorListDto> ListAnnotators(string campaignId, IGrainFactory grains)
    {
        await RequireCampaign(grains, campaignId);
        // Statistics over this campaign's answers only.
        var annotators = await CampaignAnnotators.Profiles(grains, campaignId);
        return new AnnotatorListDto(annotators.Select(AnnotatorDto.From).ToArray());
    }

    static async Task<InstanceDto> GetInstance(string campaignId, string instanceId, IGrainFactory grains)
    {
        await RequireCampaign(grains, campaignId);
        Json.RequireId(instanceId, "instanceId");
        var view = await grains.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(campaignId, instanceId)).GetState();
        if (view.Spec is null)
            throw new ApiProblemException(404, RejectionCodes.NotInitialized, "instanceId", $"Instance {instanceId} does not exist in campaign {campaignId}.");
        return new InstanceDto(instanceId, Json.EnumName(view.Status), view.CurrentRound, view.Spec.ImagePath, BoxDto.From(view.Spec.Box),
            view.Spec.ClassName, view.LeasedTo,
            view.Masks.Select(m => (object)new { m.Round, Mask = MaskDto.From(m.Mask) }).ToArray(),
            view.Clicks.Select(c => new EarlierClickDto(c.Round, c.X, c.Y, Json.EnumName(c.Label))).ToArray(),
            view.Answers);
    }

    static async Task<AnnotatorDto> SetQualification(string annotatorId, HttpRequest request, IGrainFactory grains, CancellationToken cancellation)
    {
        var name = UserEndpoints.RequireUserName(annotatorId, "annotatorId");
        if (await grains.GetGrain<IUserGrain>(name).GetAccount() is null)
            throw new ApiProblemException(404, RejectionCodes.NotInitialized, "annotatorId", $"User {name} does not exist; create the account first.");
        annotatorId = name;
        var body = await Json.ReadBody<QualificationRequest>(request, cancellation);
        if (body.Qualified is null && body.Painting is null)
            throw new ApiProblemException(400, RejectionCodes.Invalid, "qualified",
                "qualified (corrective clicks) or painting (reference masks), true or false, is missing.");
        var annotator = grains.GetGrain<IAnnotatorGrain>(annotatorId);
        if (body.Qualified is { } qualified) await annotator.SetQualified(qualified);
        if (body.Painting is { } painting) await annotator.SetPaintingQualified(painting);
        return AnnotatorDto.From(await annotator.GetProfile());
    }

    static async Task<AnnotatorDto> GetAnnotator(string annotatorId, IGrainFactory grains)
    {
        Json.RequireId(annotatorId, "annotatorId");
        return AnnotatorDto.From(await grains.GetGrain<IAnnotatorGrain>(annotatorId).GetProfile());
    }
}
