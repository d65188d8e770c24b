namespace Segmentation.Models;

/// <summary>One answer a judged call could give: its name (<see cref="JudgedPicks"/>), what the runner saw of it and the judge's score of it as shown.</summary>
public sealed record JudgedOption(string Way, AnswerFeatures Features, double Value);
