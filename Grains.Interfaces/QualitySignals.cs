namespace Grains.Interfaces;

/// <summary>
/// The paper's five quality signals of one finished round (see the kernel's <c>QualityFeatures</c>), and the segmentation
/// model's own score of the round's mask when the model gives one.
/// </summary>
[GenerateSerializer, Immutable, Alias("QualitySignals")]
public sealed record QualitySignals(
    [property: Id(0)] int ClicksInRound,
    [property: Id(1)] int Round,
    [property: Id(2)] double MaskChangeIoU,
    [property: Id(3)] double MaxClickDistance,
    [property: Id(4)] double MeanClickDistance,
    [property: Id(5)] double? ModelScore = null);
