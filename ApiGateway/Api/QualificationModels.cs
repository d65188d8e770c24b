namespace ApiGateway.Api;

// The JSON shapes of the qualification routes (camelCase on the wire).

public sealed record QualificationItemRef(string? CampaignId, string? InstanceId);

public sealed record QualificationTestRequest(List<QualificationItemRef?>? Items, double? MinMeanIoU, double? MinRightPolarityShare, double? RetryAfterMinutes);

public sealed record QualificationTestDto(string Kind, IReadOnlyList<QualificationItemRef> Items, double MinMeanIoU, double? MinRightPolarityShare,
    double RetryAfterMinutes);

public sealed record QualificationResultDto(bool Passed, double MeanIoU, double? RightPolarityShare, DateTimeOffset At, DateTimeOffset? RetryAt);

public sealed record QualificationAttemptDto(int Item, int Answered);

public sealed record QualificationStatusDto(string Kind, bool Qualified, bool TestAvailable, int Items, QualificationAttemptDto? Attempt,
    DateTimeOffset? RetryAt, QualificationResultDto? LastResult);

/// <summary>A qualification item: for the corrective test as an annotation task of round 1 shows it, for painting as a painting task.</summary>
public sealed record QualificationItemDto(
    string Kind, int Item, int Of, int Round, string ImageUrl, int ImageWidth, int ImageHeight, BoxDto Box, string ClassName, string? ClassPolicy,
    MaskDto? Mask, IReadOnlyList<EarlierClickDto> EarlierClicks, int MaxClicks);

public sealed record QualificationSubmitRequest(List<ClickDto?>? Clicks, MaskRequest? Mask, double? SecondsSpent);

public sealed record JudgedClickDto(double X, double Y, string Label, string Verdict);

public sealed record SuggestedClickDto(double X, double Y, string Label);

public sealed record QualificationFeedbackDto(int Item, int Of, double Iou, double SecondsSpent, IReadOnlyList<JudgedClickDto> Clicks,
    IReadOnlyList<SuggestedClickDto> SuggestedClicks, MaskDto Reference, bool Finished, QualificationResultDto? Result);

public sealed record QualificationPreviewDto(MaskDto Mask);
