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
    string Id, string ImageRoot, int Rounds, int MaxClicksPerRound, int MinClickRegionPixels, string Model, int Shards);

public sealed record CampaignSettingsDto(int Rounds, int MaxClicksPerRound, int MinClickRegionPixels, string? Model, int Shards, int LeaseSeconds);

public sealed record CampaignDto(string Id, string Status, string? ImageRoot, CampaignSettingsDto? Settings, int ImportedInstances);

/// <summary>Answer of an import; <c>rejected</c> rows are kept as raw JSON for messages.</summary>
public sealed record ImportResultDto(string? Format, int RowsRead, int Imported, int AlreadyPresent, IReadOnlyList<JsonElement>? Rejected);

public sealed record QualificationRequest(bool Qualified);

public sealed record ModelProgressDto(int Pending, int Completed, int Failed);

public sealed record RoundProgressDto(int Round, int Waiting, int Leased, int Corrected, int Accepted, int Skipped, int ExpiredLeases);

public sealed record ProgressDto(
    string? CampaignId, string? Status, int ImportedInstances, ModelProgressDto? Model, IReadOnlyList<RoundProgressDto>? Rounds,
    int Done, int Skipped, int Remaining, bool Complete);

public sealed record EarlierClickDto(int Round, double X, double Y, ClickLabel Label);

/// <summary>A leased task: correct the mask after round <c>Round</c> - 1 with up to <c>MaxClicks</c> clicks.</summary>
public sealed record AnnotationTaskDto(
    string CampaignId, string InstanceId, int Round, string? ImageUrl, int ImageWidth, int ImageHeight, ApiBox? Box,
    string? ClassName, string? ClassPolicy, ApiMask Mask, IReadOnlyList<EarlierClickDto>? EarlierClicks, int MaxClicks,
    DateTimeOffset? LeaseExpiresAt);

/// <summary>What POST next gave: a task, or none right now (HTTP 204) with the server's Retry-After.</summary>
public sealed record NextResult(AnnotationTaskDto? Task, TimeSpan? RetryAfter);

public sealed record PreviewRequest(int Round, IReadOnlyList<ApiClick> Clicks);

public sealed record PreviewTimingDto(double EncoderMs, double DecoderMs, int DecoderRuns, double ServerMs, double QueueMs = 0, int ReplayedRounds = 0);

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
