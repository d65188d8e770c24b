namespace Segmentation.Campaigns;

/// <summary>Cumulative answers and finished instances at one moment.</summary>
public sealed record TimelinePoint(DateTimeOffset At, int Answers, int InstancesDone);
