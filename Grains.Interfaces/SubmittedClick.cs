namespace Grains.Interfaces;

/// <summary>A click in continuous image coordinates; <paramref name="At"/> is when the annotator made it, if the client knows.</summary>
[GenerateSerializer, Immutable, Alias("SubmittedClick")]
public sealed record SubmittedClick(
    [property: Id(0)] double X,
    [property: Id(1)] double Y,
    [property: Id(2)] ClickPolarity Label,
    [property: Id(3)] DateTimeOffset? At = null);
