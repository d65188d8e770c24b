using Grains.Interfaces;

namespace Grains;

[GenerateSerializer, Alias("UserState")]
public sealed class UserState
{
    [Id(0)] public UserAccount? Account { get; set; }

    [Id(1)] public List<ApiTokenSummary> Tokens { get; set; } = [];
}

/// <summary>One account. Hashing happens in the gateway: this grain never sees a password.</summary>
public sealed class UserGrain(
    [PersistentState("user", StorageNames.Annotation)] IPersistentState<UserState> state)
    : Grain, IUserGrain
{
    UserState S => state.State;
    string UserName => this.GetPrimaryKeyString();

    public async Task Create(UserRole role, string passwordHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        if (S.Account is not null)
            throw new AnnotationRejectedException(RejectionCodes.AlreadyInitialized, "userName", $"User {UserName} already exists.");
        // Listed first (idempotent, and the list skips names without an account): a failure between the two writes
        // never leaves an account that no page can find.
        await GrainFactory.GetGrain<IUserDirectoryGrain>(0).Add(UserName);
        S.Account = new UserAccount(UserName, role, passwordHash, NewStamp(), DateTimeOffset.UtcNow);
        await state.WriteOrDeactivateAsync(this);
    }

    public Task<UserAccount?> GetAccount() => Task.FromResult(S.Account);

    public async Task SetPasswordHash(string passwordHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        var account = RequireAccount();
        S.Account = account with { PasswordHash = passwordHash, SecurityStamp = NewStamp() };
        await state.WriteOrDeactivateAsync(this);
    }

    public async Task AddToken(ApiTokenSummary token)
    {
        RequireAccount();
        if (S.Tokens.Any(t => t.TokenId == token.TokenId)) return;
        if (S.Tokens.Count >= IUserGrain.MaxTokens)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "tokens",
                $"User {UserName} has {IUserGrain.MaxTokens} tokens already; revoke one first.");
        S.Tokens.Add(token);
        await state.WriteOrDeactivateAsync(this);
    }

    public async Task<string?> RemoveToken(string tokenId)
    {
        var token = S.Tokens.FirstOrDefault(t => t.TokenId == tokenId);
        if (token is null) return null;
        S.Tokens.Remove(token);
        await state.WriteOrDeactivateAsync(this);
        return token.TokenHash;
    }

    public Task<IReadOnlyList<ApiTokenSummary>> ListTokens() => Task.FromResult<IReadOnlyList<ApiTokenSummary>>(S.Tokens.ToArray());

    UserAccount RequireAccount() => S.Account
        ?? throw new AnnotationRejectedException(RejectionCodes.NotInitialized, "userName", $"User {UserName} does not exist.");

    static string NewStamp() => Guid.NewGuid().ToString("N");
}
