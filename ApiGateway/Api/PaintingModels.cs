namespace ApiGateway.Api;

// The JSON shapes of the painting routes (camelCase on the wire).

public sealed record PaintTaskDto(
    string CampaignId, string InstanceId, int Pass, string ImageUrl, int ImageWidth, int ImageHeight, BoxDto Box,
    string ClassName, string? ClassPolicy, DateTimeOffset LeaseExpiresAt);

public sealed record MaskRequest(int[]? Size, string? Counts);

public sealed record PaintSubmitRequest(string? SubmissionId, MaskRequest? Mask, double? SecondsSpent);

public sealed record PaintSkipRequest(string? SubmissionId, double? SecondsSpent, string? Reason);

public sealed record PaintResultDto(string SubmissionId, string InstanceId, bool Skipped, int Paintings, bool HasReference,
    PaintTaskDto? Next = null, string? NextRefused = null);

public sealed record PaintingDto(int Pass, string Painter, double SecondsSpent, DateTimeOffset At, MaskDto? Mask, string? SkipReason);

public sealed record ReferenceDto(MaskDto Mask, string Source, int PaintingsWanted, IReadOnlyList<PaintingDto> Paintings);
