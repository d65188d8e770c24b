using Grains;
using Grains.Interfaces;
using Segmentation.Ranking;

namespace ApiGateway.Api;

public sealed record RankedInstanceDto(
    string InstanceId, int Round, double? PredictedIoU, string Status, double? TrueIoU, bool Training, int ExtraRounds)
{
    public static RankedInstanceDto From(RankedInstance r) =>
        new(r.InstanceId, r.Round, r.PredictedIoU, Json.EnumName(r.Status), r.TrueIoU, r.Training, r.ExtraRounds);
}

public sealed record RankingPageDto(int ModelVersion, string Order, int Offset, int Total, IReadOnlyList<RankedInstanceDto> Items);

public sealed record CurvePointDto(int Percent, int Instances, double MeanTrueIoU);

/// <param name="Spearman">Rank correlation of predicted and true IoU; null when undefined (fewer than 2 instances or a constant side).</param>
public sealed record QualityCurveDto(int Instances, double? MeanTrueIoU, double? Spearman, IReadOnlyList<CurvePointDto> TopPercent);

/// <param name="HeldOut">Ground-truth instances whose rounds did not train the model: an honest estimate.</param>
/// <param name="Training">The training instances (in-sample, optimistic).</param>
public sealed record RankingCurveDto(int ModelVersion, QualityCurveDto HeldOut, QualityCurveDto Training);

public sealed record RankingModelDto(int ModelVersion, int Examples, int TrainedOnExamples, IReadOnlyList<FeatureImportanceDto> FeatureImportances);

public sealed record FeatureImportanceDto(string Feature, string Description, double Share);

public sealed record ExtraRoundsRequestDto(int? Clicks, string? Strategy, int? Seed, int? MaxRoundsPerInstance);

public sealed record ExtraRoundsDto(
    int? Clicks, string? Strategy, int? Seed, int? MaxRoundsPerInstance, bool Active, int ClicksSpent, int Outstanding,
    int RoundsGranted, int RoundsFinished, string? StopReason)
{
    public static ExtraRoundsDto From(ExtraRoundsSummary s) => new(
        s.Request?.ClickBudget, s.Request is { } r ? RankingEndpoints.StrategyName(r.Strategy) : null, s.Request?.Seed,
        s.Request?.MaxExtraRoundsPerInstance, s.Active, s.ClicksSpent, s.Outstanding, s.RoundsGranted, s.RoundsFinished, s.StopReason);
}

public static class RankingEndpoints
{
    const int MaxLimit = 1000;

    static readonly IReadOnlyDictionary<string, string> FeatureDescriptions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["clicks_in_round"] = "f1: clicks in the last round",
        ["round"] = "f2: round number",
        ["mask_change_iou"] = "f3: mask change, the IoU of the previous and current mask",
        ["max_click_distance"] = "f4: largest distance of the round's clicks to the previous mask's boundary",
        ["mean_click_distance"] = "f5: mean distance of the round's clicks to the previous mask's boundary",
        ["model_score"] = "the segmentation model's own estimate of the mask's IoU (used when every training mask has one)",
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/campaigns/{campaignId}").WithTags("Manager").RequireAuthorization(Security.Policies.Manager);
        api.MapGet("/ranking", GetRanking)
            .WithSummary("Instances ranked by the predicted IoU of their current mask (order=worst|best, offset, limit <= 1000).");
        api.MapGet("/ranking/curve", GetCurve)
            .WithSummary("Figure-8 curve: mean true IoU of the top N% by predicted IoU on ground-truth instances, N = 10..100.");
        api.MapGet("/ranking/model", GetModel).WithSummary("The quality model's version, training examples and feature importances.");
        api.MapPost("/extra-rounds", StartExtraRounds)
            .WithSummary("Spend an extra-click budget on extra rounds after the last round (strategy=ranked|random|queue).");
        api.MapGet("/extra-rounds", GetExtraRounds);
    }

    public static string StrategyName(ExtraRoundStrategy strategy) => strategy switch
    {
        ExtraRoundStrategy.Ranked => "ranked",
        ExtraRoundStrategy.Random => "random",
        ExtraRoundStrategy.QueueOrder => "queue",
        _ => strategy.ToString(),
    };

    static async Task<RankingPageDto> GetRanking(string campaignId, string? order, int? offset, int? limit, IGrainFactory grains)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var worstFirst = (order ?? "worst") switch
        {
            "worst" => true,
            "best" => false,
            _ => throw new ApiProblemException(400, RejectionCodes.Invalid, "order", $"order must be worst or best, got '{order}'."),
        };
        var skip = offset ?? 0;
        var take = limit ?? 100;
        if (skip < 0) throw new ApiProblemException(400, RejectionCodes.Invalid, "offset", $"offset {skip} is negative.");
        if (take is < 1 or > MaxLimit) throw new ApiProblemException(400, RejectionCodes.Invalid, "limit", $"limit {take} is outside [1, {MaxLimit}].");
        if ((long)skip + take > IQualityIndexGrain.MaxTake)
            throw new ApiProblemException(400, RejectionCodes.Invalid, "offset", $"offset + limit must not exceed {IQualityIndexGrain.MaxTake}.");

        var pages = await Task.WhenAll(Shards(grains, campaignId, info).Select(s => s.Ranked(skip + take, worstFirst)));
        var merged = pages.SelectMany(p => p.Items)
            .OrderBy(r => worstFirst ? r.PredictedIoU : -r.PredictedIoU)
            .ThenBy(r => r.InstanceId, StringComparer.Ordinal)
            .Skip(skip).Take(take)
            .Select(RankedInstanceDto.From).ToArray();
        return new RankingPageDto(pages.Max(p => p.ModelVersion), worstFirst ? "worst" : "best", skip, pages.Sum(p => p.Total), merged);
    }

    internal static async Task<RankingCurveDto> GetCurve(string campaignId, IGrainFactory grains)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var entries = (await Task.WhenAll(Shards(grains, campaignId, info).Select(s => s.GroundTruthEntries()))).SelectMany(e => e).ToArray();
        var version = (await grains.GetGrain<IRankingGrain>(campaignId).GetSummary()).ModelVersion;
        return new RankingCurveDto(version, Curve(entries.Where(e => !e.Training)), Curve(entries.Where(e => e.Training)));
    }

    static QualityCurveDto Curve(IEnumerable<RankedInstance> entries)
    {
        var quality = RankingMetrics.Quality(entries.Select(e => (e.PredictedIoU!.Value, e.TrueIoU!.Value)).ToArray());
        if (quality.Masks == 0) return new QualityCurveDto(0, null, null, []);
        return new QualityCurveDto(quality.Masks, quality.AllMeanIoU, double.IsNaN(quality.Spearman) ? null : quality.Spearman,
            quality.Curve.Select(p => new CurvePointDto(p.Percent, p.Instances, p.MeanTrueIoU)).ToArray());
    }

    static async Task<RankingModelDto> GetModel(string campaignId, IGrainFactory grains)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var summary = await grains.GetGrain<IRankingGrain>(campaignId).GetSummary();
        return new RankingModelDto(summary.ModelVersion, summary.Examples, summary.TrainedOnExamples,
            summary.FeatureImportances.OrderByDescending(f => f.Value)
                .Select(f => new FeatureImportanceDto(f.Key, FeatureDescriptions[f.Key], f.Value)).ToArray());
    }

    static async Task<IResult> StartExtraRounds(string campaignId, HttpRequest request, IGrainFactory grains, CancellationToken cancellation)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var body = await Json.ReadBody<ExtraRoundsRequestDto>(request, cancellation);
        if (body.Clicks is not { } clicks)
            throw new ApiProblemException(400, RejectionCodes.Invalid, "clicks", "clicks (the extra-click budget) is missing.");
        var strategy = (body.Strategy ?? "ranked") switch
        {
            "ranked" => ExtraRoundStrategy.Ranked,
            "random" => ExtraRoundStrategy.Random,
            "queue" => ExtraRoundStrategy.QueueOrder,
            var other => throw new ApiProblemException(400, RejectionCodes.Invalid, "strategy", $"strategy must be ranked, random or queue, got '{other}'."),
        };
        var summary = await grains.GetGrain<IExtraRoundsGrain>(campaignId).Start(
            new ExtraRoundsRequest(clicks, strategy, body.Seed ?? 1, body.MaxRoundsPerInstance ?? 1));
        return Results.Accepted($"/api/v1/campaigns/{campaignId}/extra-rounds", ExtraRoundsDto.From(summary));
    }

    static async Task<ExtraRoundsDto> GetExtraRounds(string campaignId, IGrainFactory grains)
    {
        await ManagerEndpoints.RequireCampaign(grains, campaignId);
        return ExtraRoundsDto.From(await grains.GetGrain<IExtraRoundsGrain>(campaignId).GetSummary());
    }

    static IEnumerable<IQualityIndexGrain> Shards(IGrainFactory grains, string campaignId, CampaignInfo info) =>
        Enumerable.Range(0, info.Settings.ShardCount).Select(shard => grains.GetGrain<IQualityIndexGrain>(AnnotationKeys.CampaignShard(campaignId, shard)));
}
