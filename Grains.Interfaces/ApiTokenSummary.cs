namespace Grains.Interfaces;

/// <summary>What the owner sees of one API token: never the token, only its last four characters.</summary>
[GenerateSerializer, Immutable, Alias("ApiTokenSummary")]
public sealed record ApiTokenSummary(
    [property: Id(0)] string TokenId,
    [property: Id(1)] string Name,
    [property: Id(2)] string LastFour,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] string TokenHash);
