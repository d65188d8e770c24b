namespace Grains.Interfaces;

/// <summary>
/// What an answered qualification item shows the annotator: the final mask's IoU with the reference, each click's
/// verdict and where clicks would have corrected the mask; after the last item, the attempt's result.
/// </summary>
[GenerateSerializer, Immutable, Alias("QualificationFeedback")]
public sealed record QualificationFeedback(
    [property: Id(0)] int Item,
    [property: Id(1)] int Of,
    [property: Id(2)] double IoU,
    [property: Id(3)] double SecondsSpent,
    [property: Id(4)] IReadOnlyList<JudgedClick> Clicks,
    [property: Id(5)] IReadOnlyList<SubmittedClick> SuggestedClicks,
    [property: Id(6)] QualificationResult? Result);
