using Grains.Interfaces;

namespace Grains.Store;

/// <summary>One recorded answer of an annotator to an instance's round.</summary>
public sealed record AnswerRow(
    string CampaignId,
    string InstanceId,
    string SubmissionId,
    string AnnotatorId,
    int Round,
    int Clicks,
    double Seconds,
    bool Skipped,
    long AtTicks,
    AnswerQuality? Quality = null);

/// <summary>An annotator's running totals in one campaign.</summary>
public sealed record AnnotatorTotals(
    string CampaignId,
    string AnnotatorId,
    long Instances,
    long Answers,
    long Clicks,
    double Seconds,
    long Skipped);
