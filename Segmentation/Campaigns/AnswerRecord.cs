namespace Segmentation.Campaigns;

/// <summary>One annotator answer as the dashboard counts it.</summary>
public sealed record AnswerRecord(string InstanceId, int Round, int Clicks, bool Skipped, double Seconds, DateTimeOffset At);
