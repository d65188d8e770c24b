namespace Segmentation.Models;

/// <summary>One answer a call could give, what the runner saw of it, and how much better than the runner's own answer it was (IoU with the truth).</summary>
public sealed record AnswerExample(AnswerFeatures Features, double Gain);
