namespace Grains.Interfaces;

/// <summary>An answer to a qualification item: clicks (corrective) or a painted mask (painting), and the time it took.</summary>
[GenerateSerializer, Immutable, Alias("QualificationAnswer")]
public sealed record QualificationAnswer(
    [property: Id(0)] IReadOnlyList<SubmittedClick>? Clicks,
    [property: Id(1)] MaskRle? Mask,
    [property: Id(2)] double SecondsSpent);
