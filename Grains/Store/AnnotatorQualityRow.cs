namespace Grains.Store;

/// <summary>An annotator's quality counts in one campaign (answers on instances with a reference mask).</summary>
public sealed record AnnotatorQualityRow(
    string AnnotatorId,
    long JudgedClicks,
    long WrongPolarityClicks,
    long FirstClicksJudged,
    long FirstClicksCorrecting,
    long AcceptedWithReference,
    long AcceptedBad,
    long GainRounds = 0,
    double GainSum = 0,
    long GainClicks = 0);
