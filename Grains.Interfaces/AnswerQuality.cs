namespace Grains.Interfaces;

/// <summary>
/// How an answer on an instance with a reference mask did (<c>Segmentation.Quality</c>): its clicks that could be judged,
/// how many of them corrected a true error with the right polarity, and, for a 0-click answer, whether the mask it
/// accepted was not good.
/// </summary>
[GenerateSerializer, Immutable, Alias("AnswerQuality")]
public sealed record AnswerQuality(
    [property: Id(0)] int JudgedClicks,
    [property: Id(1)] int CorrectingClicks,
    [property: Id(2)] bool AcceptedWithReference,
    [property: Id(3)] bool AcceptedBad);
