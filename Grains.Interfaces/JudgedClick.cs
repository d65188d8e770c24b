namespace Grains.Interfaces;

/// <summary>A click of a qualification answer with its verdict against the reference: corrects, redundant, contradicts or unjudged.</summary>
[GenerateSerializer, Immutable, Alias("JudgedClick")]
public sealed record JudgedClick(
    [property: Id(0)] double X,
    [property: Id(1)] double Y,
    [property: Id(2)] ClickPolarity Label,
    [property: Id(3)] string Verdict);
