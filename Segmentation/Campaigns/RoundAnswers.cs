namespace Segmentation.Campaigns;

/// <summary>Answers of one round: skips, and answers with 0, 1, .., K clicks (the paper's section 5.2 figures).</summary>
public sealed record RoundAnswers(int Round, int Skipped, int[] ByClicks);
