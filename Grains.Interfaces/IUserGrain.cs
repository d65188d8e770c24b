namespace Grains.Interfaces;

/// <summary>One account (key: the user name, lower case) and the summaries of its API tokens.</summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Creates the account; refused with <c>already_initialized</c> when it exists.</summary>
    Task Create(UserRole role, string passwordHash);

    /// <summary>The account, or null when none was created under this name.</summary>
    Task<UserAccount?> GetAccount();

    /// <summary>Replaces the password hash and the security stamp (signed-in sessions end).</summary>
    Task SetPasswordHash(string passwordHash);

    /// <summary>Records a token the user created; at most <see cref="MaxTokens"/> are kept.</summary>
    Task AddToken(ApiTokenSummary token);

    /// <summary>Forgets a token by id and answers its hash (to revoke it), or null when the user has no such token.</summary>
    Task<string?> RemoveToken(string tokenId);

    Task<IReadOnlyList<ApiTokenSummary>> ListTokens();

    const int MaxTokens = 50;
}
