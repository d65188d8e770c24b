using Grains.Interfaces;

namespace Grains.Store;

/// <summary>A place in a campaign's gold instances, in the order annotators walk them.</summary>
public sealed record GoldPosition(long AddedAt, string InstanceId);

/// <summary>One answer to a gold task, with how it did against the reference.</summary>
/// <param name="Gain">The IoU with the reference the clicks' mask added over the mask shown; null without one.</param>
public sealed record GoldAnswerRow(
    string CampaignId,
    string SubmissionId,
    string InstanceId,
    string AnnotatorId,
    int Clicks,
    double Seconds,
    bool Skipped,
    double? Gain,
    long AtTicks,
    AnswerQuality? Quality);

/// <summary>An annotator's gold answers in one campaign, summed.</summary>
public sealed record AnnotatorGoldRow(string AnnotatorId, long Answers, long Skips, double Seconds, long GainAnswers, double GainSum, long GainClicks);
