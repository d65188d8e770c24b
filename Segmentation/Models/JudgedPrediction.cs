namespace Segmentation.Models;

/// <summary>
/// A prediction an evaluation's judge chose (or, with <see cref="JudgedChoice.Observe"/>, watched), which of the answers it
/// was, and every answer the judge scored, the runner's own first.
/// </summary>
public sealed record JudgedPrediction(MaskPrediction Prediction, string Pick)
{
    public IReadOnlyList<JudgedOption> Options { get; init; } = [];
}
