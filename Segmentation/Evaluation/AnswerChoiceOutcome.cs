namespace Segmentation.Evaluation;

/// <summary>How a chooser's picks did on logged calls, call by call (greedy: later calls are not replayed).</summary>
public sealed record AnswerChoiceOutcome(int Calls, int Changed, int ChangedWorse, double MeanGain, double MeanTruthGain);
