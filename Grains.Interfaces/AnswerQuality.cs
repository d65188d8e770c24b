namespace Grains.Interfaces;

/// <summary>
/// How an answer on an instance with a reference mask did (<c>Segmentation.Quality.AnswerJudgement</c>): its judged
/// clicks and those with the wrong polarity for the reference; whether its first click was judged and corrected a
/// true error of the mask shown; and, for a 0-click answer, whether the mask it accepted was not good.
/// </summary>
[GenerateSerializer, Immutable, Alias("AnswerQuality")]
public sealed record AnswerQuality(
    [property: Id(0)] int JudgedClicks,
    [property: Id(1)] int WrongPolarityClicks,
    [property: Id(2)] bool FirstClickJudged,
    [property: Id(3)] bool FirstClickCorrects,
    [property: Id(4)] bool AcceptedWithReference,
    [property: Id(5)] bool AcceptedBad);
