namespace Segmentation.Campaigns;

/// <summary>The answer figures of a campaign's dashboard (see <see cref="AnswerStatistics.FromCounters"/>).</summary>
public sealed record CampaignAnswerStatistics(
    int Answers, double? InstancesPerHour, double? SecondsPerInstance, double? ClicksPerInstance,
    IReadOnlyList<RoundAnswers> AnswersByRound, IReadOnlyList<AnswerSeconds> SecondsByAnswer, IReadOnlyList<TimelinePoint> Timeline);
