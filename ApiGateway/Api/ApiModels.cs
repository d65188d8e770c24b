using Grains.Interfaces;

namespace ApiGateway.Api;

// The JSON shapes of /api/v1 (camelCase on the wire). Request fields are nullable so that a missing field
// is reported by name instead of silently taking a default.

public sealed record CreateCampaignRequest(
    string? Id, string? ImageRoot, int? Rounds, int? MaxClicksPerRound, int? MinClickRegionPixels, string? Model,
    int? Shards, double? LeaseSeconds, Dictionary<string, string>? ClassPolicies, double? GroundTruthFraction = null,
    double? ReprioritizeBelowIoU = null, double? ReferenceFraction = null, double? DoublePaintingFraction = null,
    double? GoldRate = null);

public sealed record CampaignSettingsDto(
    int Rounds, int MaxClicksPerRound, int MinClickRegionPixels, string Model, int Shards, double LeaseSeconds,
    IReadOnlyDictionary<string, string> ClassPolicies, double GroundTruthFraction, double ReprioritizeBelowIoU,
    double ReferenceFraction, double DoublePaintingFraction, double GoldRate);

public sealed record CampaignDto(string Id, string Status, string? ImageRoot, CampaignSettingsDto Settings, int ImportedInstances)
{
    public static CampaignDto From(CampaignInfo info) => new(
        info.CampaignId, Json.EnumName(info.Status), info.Settings.ImageRoot,
        new CampaignSettingsDto(info.Settings.Rounds, info.Settings.MaxClicksPerRound, info.Settings.MinClickRegionPixels,
            info.Settings.ModelName, info.Settings.ShardCount, info.Settings.LeaseDuration.TotalSeconds, info.Settings.ClassPolicies,
            info.Settings.GroundTruthFraction, info.Settings.ReprioritizeBelowIoU, info.Settings.ReferenceFraction,
            info.Settings.DoublePaintingFraction, info.Settings.GoldRate),
        info.ImportedInstances);
}

public sealed record CampaignListDto(IReadOnlyList<CampaignDto> Campaigns);

public sealed record MaskDto(int[] Size, string Counts)
{
    public static MaskDto From(MaskRle mask) => new([mask.Height, mask.Width], mask.Counts);
}

public sealed record BoxDto(double X0, double Y0, double X1, double Y1)
{
    public static BoxDto From(BoxD b) => new(b.X0, b.Y0, b.X1, b.Y1);
}

public sealed record ClickDto(double? X, double? Y, string? Label);

public sealed record EarlierClickDto(int Round, double X, double Y, string Label);

public sealed record TaskDto(
    string CampaignId, string InstanceId, int Round, string ImageUrl, int ImageWidth, int ImageHeight, BoxDto Box,
    string ClassName, string? ClassPolicy, MaskDto? Mask, IReadOnlyList<EarlierClickDto> EarlierClicks, int MaxClicks,
    DateTimeOffset LeaseExpiresAt);

public sealed record SubmitRequest(string? SubmissionId, int? Round, List<ClickDto?>? Clicks, double? SecondsSpent, List<List<double>?>? Trajectory = null);

public sealed record SkipRequest(string? SubmissionId, int? Round, double? SecondsSpent, string? Reason = null, List<List<double>?>? Trajectory = null);

public sealed record PreviewRequest(int? Round, List<ClickDto?>? Clicks);

/// <summary>An answer's outcome; with next=true also the following task, or why none could be leased (<see cref="NextRefused"/>, a problem code).</summary>
public sealed record SubmissionDto(string SubmissionId, string InstanceId, int Round, string Outcome, int ClickCount, string Status,
    TaskDto? Next = null, string? NextRefused = null);

public sealed record TimingDto(double EncoderMs, double DecoderMs, int DecoderRuns, double QueueMs, double ModelMs, double ServerMs, int ReplayedRounds);

public sealed record PreviewDto(MaskDto Mask, double? ModelScore, TimingDto Timing);

public sealed record ReleaseDto(bool Released);

/// <summary>Either or both: the corrective-click qualification and the painting qualification.</summary>
public sealed record QualificationRequest(bool? Qualified, bool? Painting = null);

public sealed record AnnotatorStatisticsDto(int Instances, int Answers, int Clicks, double ClicksPerInstance, double SecondsPerInstance, int Skips);

public sealed record AnnotatorDto(string Id, bool Qualified, AnnotatorStatisticsDto Statistics, string? LeasedInstance, bool PaintingQualified)
{
    public static AnnotatorDto From(AnnotatorProfile p) => new(p.AnnotatorId, p.Qualified,
        new AnnotatorStatisticsDto(p.Statistics.Instances, p.Statistics.Answers, p.Statistics.Clicks, p.Statistics.ClicksPerInstance,
            p.Statistics.SecondsPerInstance, p.Statistics.Skips),
        p.Lease?.InstanceKey, p.PaintingQualified);
}

public sealed record AnnotatorListDto(IReadOnlyList<AnnotatorDto> Annotators);

public sealed record ModelProgressDto(int Pending, int Completed, int Failed, IReadOnlyDictionary<int, int> CompletedByRound, IReadOnlyList<string> RecentErrors);

public sealed record RoundProgressDto(int Round, int Waiting, int Leased, int Corrected, int Accepted, int Skipped, long ExpiredLeases);

public sealed record ProgressDto(
    string CampaignId, string Status, int ImportedInstances, ModelProgressDto Model, IReadOnlyList<RoundProgressDto> Rounds,
    int Done, int Skipped, int Remaining, bool Complete, ExtraRoundsDto? ExtraRounds)
{
    public static ProgressDto From(CampaignProgress p) => new(
        p.CampaignId, Json.EnumName(p.Status), p.ImportedInstances,
        new ModelProgressDto(p.Model.Pending, p.Model.Completed, p.Model.Failed, p.Model.CompletedByRound, p.Model.RecentErrors),
        p.Rounds.Select(r => new RoundProgressDto(r.Round, r.Waiting, r.Leased, r.Corrected, r.Accepted, r.Skipped, r.ExpiredLeases)).ToArray(),
        p.Done, p.Skipped, p.Remaining, p.Complete, p.Extra is { } extra ? ExtraRoundsDto.From(extra) : null);
}

public sealed record ImportRowErrorDto(int Row, string Field, string Message);

public sealed record ImportReportDto(string Format, int RowsRead, int Imported, int AlreadyPresent, IReadOnlyList<ImportRowErrorDto> Rejected);

public sealed record InstanceDto(
    string InstanceId, string Status, int CurrentRound, string ImagePath, BoxDto Box, string ClassName, string? LeasedTo,
    IReadOnlyList<object> Masks, IReadOnlyList<EarlierClickDto> Clicks, IReadOnlyList<RoundAnswer> Answers);
