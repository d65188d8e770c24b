namespace Segmentation.Models;

/// <summary>A prediction an evaluation's judge chose, and which of the answers it was (see <see cref="IJudgedChoiceModel"/>).</summary>
public sealed record JudgedPrediction(MaskPrediction Prediction, string Pick);
