using System.Text.Json;
using System.Text.Json.Serialization;
using Segmentation.Masks;

namespace Simulator.Campaign;

// Typed records of the HTTP API v1 as far as the simulated campaign uses it. JSON is camelCase
// (JsonSerializerDefaults.Web), except the COCO export, which keeps COCO's snake_case names.

/// <summary>Serializer settings shared by the client and its tests.</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}

/// <summary>A mask as the API sends it: compressed COCO RLE with <c>size</c> = [height, width].</summary>
public sealed record ApiMask(int[] Size, string Counts)
{
    public static ApiMask FromMask(BinaryMask mask) => new([mask.Height, mask.Width], CocoRle.Encode(mask));

    /// <exception cref="InvalidDataException">The size is not [height, width] or the counts do not cover it.</exception>
    public BinaryMask Decode()
    {
        if (Size is not [var height, var width] || height <= 0 || width <= 0)
            throw new InvalidDataException($"A mask's size must be [height, width] with positive values, got [{string.Join(", ", Size ?? [])}].");
        if (string.IsNullOrEmpty(Counts)) throw new InvalidDataException("A mask has no RLE counts.");
        try
        {
            return CocoRle.Decode(Counts, height, width);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new InvalidDataException($"A {height}x{width} (h x w) mask has invalid RLE counts: {ex.Message}", ex);
        }
    }
}

public sealed record ApiBox(double X0, double Y0, double X1, double Y1);

/// <summary>A click in image pixel coordinates; the label is written "foreground" / "background".</summary>
public sealed record ApiClick(double X, double Y, ClickLabel Label)
{
    public static ApiClick From(Click click) => new(click.X, click.Y, click.Label);

    public Click ToClick() => new(X, Y, Label);
}

public sealed record CreateCampaignRequest(
    string Id, string ImageRoot, int Rounds, int MaxClicksPerRound, int MinClickRegionPixels, string Model, int Shards,
    double GroundTruthFraction = 0, double ReprioritizeBelowIoU = 0, double ReferenceFraction = 0, double DoublePaintingFraction = 0,
    double GoldRate = 0);

/// <param name="GroundTruthFraction">Null from a server that does not train a quality model.</param>
public sealed record CampaignSettingsDto(
    int Rounds, int MaxClicksPerRound, int MinClickRegionPixels, string? Model, int Shards, int LeaseSeconds,
    double? GroundTruthFraction = null, double? ReprioritizeBelowIoU = null, double? ReferenceFraction = null, double? DoublePaintingFraction = null, double? GoldRate = null);

public sealed record CampaignDto(string Id, string Status, string? ImageRoot, CampaignSettingsDto? Settings, int ImportedInstances);

/// <summary>Answer of an import; <c>rejected</c> rows are kept as raw JSON for messages.</summary>
public sealed record ImportResultDto(string? Format, int RowsRead, int Imported, int AlreadyPresent, IReadOnlyList<JsonElement>? Rejected);

public sealed record QualificationRequest(bool Qualified);

public sealed record PaintingQualificationRequest(bool Painting);

/// <summary>A painting task: the object to paint from scratch.</summary>
public sealed record PaintTaskDto(string CampaignId, string InstanceId, int Pass, int ImageWidth, int ImageHeight, ApiBox Box, string ClassName);

public sealed record PaintNextResult(PaintTaskDto? Task, TimeSpan? RetryAfter);

public sealed record PaintSubmitRequest(string SubmissionId, ApiMask Mask, double SecondsSpent);

public sealed record PaintSkipRequest(string SubmissionId, double SecondsSpent, string Reason);

public sealed record PaintResultDto(string SubmissionId, string InstanceId, bool Skipped, int Paintings, bool HasReference);

public sealed record NewUserRequest(string UserName, string Password, string Role);

public sealed record PasswordRequest(string Password);

public sealed record CredentialsRequest(string UserName, string Password, string TokenName);

public sealed record CreatedTokenDto(string Id, string Name, string Token);

public sealed record ModelProgressDto(int Pending, int Completed, int Failed);

public sealed record RoundProgressDto(int Round, int Waiting, int Leased, int Corrected, int Accepted, int Skipped, int ExpiredLeases);

/// <param name="ExtraRounds">The extra-click spending; null before any.</param>
public sealed record ProgressDto(
    string? CampaignId, string? Status, int ImportedInstances, ModelProgressDto? Model, IReadOnlyList<RoundProgressDto>? Rounds,
    int Done, int Skipped, int Remaining, bool Complete, ExtraRoundsDto? ExtraRounds = null);

/// <summary>Spend <c>Clicks</c> on extra rounds, chosen by <c>Strategy</c>, at most <c>MaxRoundsPerInstance</c> per instance.</summary>
public sealed record ExtraRoundsRequest(int Clicks, BudgetStrategy Strategy, int Seed, int MaxRoundsPerInstance);

/// <summary>
/// The state of an extra-click spending. <c>Active</c> until the budget cannot pay for another round or no instance is
/// left to give one (<c>StopReason</c>); a round reserves a whole round of clicks while <c>Outstanding</c>.
/// </summary>
public sealed record ExtraRoundsDto(
    int? Clicks, string? Strategy, int? Seed, int? MaxRoundsPerInstance, bool Active, int ClicksSpent, int Outstanding,
    int RoundsGranted, int RoundsFinished, string? StopReason);

/// <summary>One instance in the ranking by predicted IoU of its current mask.</summary>
/// <param name="Training">Its finished rounds train the quality model (it is in the ground-truth fraction).</param>
public sealed record RankedInstanceDto(
    string InstanceId, int Round, double? PredictedIoU, string? Status, double? TrueIoU, bool Training, int ExtraRounds);

/// <param name="Total">Instances with a prediction.</param>
public sealed record RankingPageDto(int ModelVersion, string? Order, int Offset, int Total, IReadOnlyList<RankedInstanceDto>? Items);

public sealed record FeatureImportanceDto(string Feature, string? Description, double Share);

public sealed record RankingModelDto(int ModelVersion, int Examples, int TrainedOnExamples, IReadOnlyList<FeatureImportanceDto>? FeatureImportances);

public sealed record EarlierClickDto(int Round, double X, double Y, ClickLabel Label);

/// <summary>A leased task: correct the mask after round <c>Round</c> - 1 with up to <c>MaxClicks</c> clicks.</summary>
public sealed record AnnotationTaskDto(
    string CampaignId, string InstanceId, int Round, string? ImageUrl, int ImageWidth, int ImageHeight, ApiBox? Box,
    string? ClassName, string? ClassPolicy, ApiMask Mask, IReadOnlyList<EarlierClickDto>? EarlierClicks, int MaxClicks,
    DateTimeOffset? LeaseExpiresAt);

/// <summary>What POST next gave: a task, or none right now (HTTP 204) with the server's Retry-After.</summary>
public sealed record NextResult(AnnotationTaskDto? Task, TimeSpan? RetryAfter);

public sealed record PreviewRequest(int Round, IReadOnlyList<ApiClick> Clicks);

public sealed record PreviewTimingDto(double EncoderMs, double DecoderMs, int DecoderRuns, double ServerMs, double QueueMs = 0, int ReplayedRounds = 0, double ModelMs = 0);

public sealed record PreviewResponse(ApiMask? Mask, double? ModelScore, PreviewTimingDto? Timing);

public sealed record SubmitRequest(string SubmissionId, int Round, IReadOnlyList<ApiClick> Clicks, double SecondsSpent);

public sealed record SubmitResponse(string SubmissionId, string InstanceId, int Round, string Outcome, int ClickCount, string? Status);

/// <summary>The COCO export (snake_case names as in COCO files).</summary>
public sealed record CocoExportDto(
    [property: JsonPropertyName("images")] IReadOnlyList<CocoExportImage>? Images,
    [property: JsonPropertyName("annotations")] IReadOnlyList<CocoExportAnnotation>? Annotations);

public sealed record CocoExportImage(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("file_name")] string? FileName,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height);

public sealed record CocoExportAnnotation(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("image_id")] long ImageId,
    [property: JsonPropertyName("segmentation")] ApiMask? Segmentation,
    [property: JsonPropertyName("instance_id")] string? InstanceId,
    [property: JsonPropertyName("status")] string? Status);

/// <summary>One row of GET quality/annotators.</summary>
public sealed record AnnotatorQualityDto(
    string AnnotatorId, long Answers, long Skips, double? SecondsPerAnswer, long JudgedClicks, double? RightPolarityShare,
    long FirstClicksJudged, double? FirstClickCorrectingShare, long AcceptedWithReference, double? AcceptedBadShare, bool Flagged,
    long RoundsWithGain = 0, double? IouGainPerClick = null, long GoldAnswers = 0, long GoldSkips = 0, double? GoldIouGainPerClick = null,
    long PredictedGainRounds = 0, double? PredictedIouGainPerClick = null);
