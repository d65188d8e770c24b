namespace Grains.Interfaces;

/// <summary>
/// What a model call is about: one instance on one image, the box, every committed click with its round, and the
/// round whose mask is wanted (0 = the box model's mask; r = box plus the clicks of rounds 1..r). Preview calls add
/// <see cref="TentativeClicks"/> for round <see cref="Round"/> that are not committed.
/// </summary>
[GenerateSerializer, Immutable, Alias("ModelQuestion")]
public sealed record ModelQuestion(
    [property: Id(0)] string InstanceKey,
    [property: Id(1)] string ModelName,
    [property: Id(2)] string ImageFile,
    [property: Id(3)] BoxD Box,
    [property: Id(4)] IReadOnlyList<ClickRecord> CommittedClicks,
    [property: Id(5)] int Round,
    [property: Id(6)] IReadOnlyList<SubmittedClick>? TentativeClicks,
    [property: Id(7)] InferenceLane Lane);
