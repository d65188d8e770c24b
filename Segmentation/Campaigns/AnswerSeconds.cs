namespace Segmentation.Campaigns;

/// <summary>Time per answer type (the paper's figure 7): <see cref="Answer"/> is "skip" or the number of clicks.</summary>
public sealed record AnswerSeconds(string Answer, int Count, double MeanSeconds, double MedianSeconds);
