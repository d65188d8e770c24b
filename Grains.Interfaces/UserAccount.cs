namespace Grains.Interfaces;

/// <summary>
/// A stored account. <see cref="PasswordHash"/> is the hasher's output, never the password;
/// <see cref="SecurityStamp"/> changes with the password, which ends the sessions signed in before.
/// </summary>
[GenerateSerializer, Immutable, Alias("UserAccount")]
public sealed record UserAccount(
    [property: Id(0)] string UserName,
    [property: Id(1)] UserRole Role,
    [property: Id(2)] string PasswordHash,
    [property: Id(3)] string SecurityStamp,
    [property: Id(4)] DateTimeOffset CreatedAt);
