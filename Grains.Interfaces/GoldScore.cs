namespace Grains.Interfaces;

/// <summary>
/// How an answer to a gold task did against the reference: its judged clicks, and the IoU with the reference that the
/// clicks' mask added over the mask shown (null for an accept, a skip, or a campaign without a model in the silo).
/// </summary>
[GenerateSerializer, Immutable, Alias("GoldScore")]
public sealed record GoldScore(
    [property: Id(0)] AnswerQuality? Quality,
    [property: Id(1)] double? Gain);
