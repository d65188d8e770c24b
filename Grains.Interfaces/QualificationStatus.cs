namespace Grains.Interfaces;

/// <summary>An annotator's standing with one kind of qualification: held or not, the test, the attempt under way and the last result.</summary>
[GenerateSerializer, Immutable, Alias("QualificationStatus")]
public sealed record QualificationStatus(
    [property: Id(0)] string Kind,
    [property: Id(1)] bool Qualified,
    [property: Id(2)] int TestItems,
    [property: Id(3)] int? AttemptItem,
    [property: Id(4)] int AttemptAnswered,
    [property: Id(5)] DateTimeOffset? RetryAt,
    [property: Id(6)] QualificationResult? LastResult);
