namespace Grains.Interfaces;

/// <summary>
/// One annotator's quality in a campaign, from their answers on instances with a reference mask. Shares are null where
/// there was nothing to judge. Gold answers (to gold tasks) count in the judged clicks and have their own IoU gain per click. The
/// predicted gain is M_r's estimate of the same from rounds 2 and later of any instance. <see cref="Flagged"/>: far below the campaign's other annotators on
/// <see cref="RightPolarityShare"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("AnnotatorQualitySummary")]
public sealed record AnnotatorQualitySummary(
    [property: Id(0)] string AnnotatorId,
    [property: Id(1)] long Answers,
    [property: Id(2)] long Skips,
    [property: Id(3)] double? SecondsPerAnswer,
    [property: Id(4)] long JudgedClicks,
    [property: Id(5)] double? RightPolarityShare,
    [property: Id(6)] long FirstClicksJudged,
    [property: Id(7)] double? FirstClickCorrectingShare,
    [property: Id(8)] long AcceptedWithReference,
    [property: Id(9)] double? AcceptedBadShare,
    [property: Id(10)] bool Flagged,
    [property: Id(11)] long RoundsWithGain = 0,
    [property: Id(12)] double? IouGainPerClick = null,
    [property: Id(13)] long GoldAnswers = 0,
    [property: Id(14)] long GoldSkips = 0,
    [property: Id(15)] double? GoldIouGainPerClick = null,
    [property: Id(16)] long PredictedGainRounds = 0,
    [property: Id(17)] double? PredictedIouGainPerClick = null);
