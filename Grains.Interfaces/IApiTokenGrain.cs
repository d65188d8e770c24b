namespace Grains.Interfaces;

/// <summary>
/// One API token (key: the hex SHA-256 of the token, so the token itself is stored nowhere): whose it is and
/// whether it was revoked.
/// </summary>
public interface IApiTokenGrain : IGrainWithStringKey
{
    /// <summary>Binds the token to its owner; refused when the hash is already bound.</summary>
    Task Issue(string userName, string tokenId);

    /// <summary>The owner's user name, or null for an unknown or revoked token.</summary>
    Task<string?> Owner();

    Task Revoke();
}
