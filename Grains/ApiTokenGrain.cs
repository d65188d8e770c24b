using Grains.Interfaces;

namespace Grains;

[GenerateSerializer, Alias("ApiTokenState")]
public sealed class ApiTokenState
{
    [Id(0)] public string? UserName { get; set; }

    [Id(1)] public string? TokenId { get; set; }

    [Id(2)] public bool Revoked { get; set; }
}

/// <summary>One token, keyed by its hash; a revoked token stays revoked (its hash is never bound again).</summary>
public sealed class ApiTokenGrain(
    [PersistentState("token", StorageNames.Annotation)] IPersistentState<ApiTokenState> state)
    : Grain, IApiTokenGrain
{
    public async Task Issue(string userName, string tokenId)
    {
        if (state.State.UserName is not null)
            throw new AnnotationRejectedException(RejectionCodes.AlreadyInitialized, "token", "This token is already issued.");
        state.State.UserName = userName;
        state.State.TokenId = tokenId;
        await state.WriteOrDeactivateAsync(this);
    }

    public Task<string?> Owner()
    {
        // A guessed token activates this grain; an empty one is dropped at once rather than kept in memory.
        if (state.State.UserName is null) DeactivateOnIdle();
        return Task.FromResult(state.State.Revoked ? null : state.State.UserName);
    }

    public async Task Revoke()
    {
        if (state.State.Revoked || state.State.UserName is null) return;
        state.State.Revoked = true;
        await state.WriteOrDeactivateAsync(this);
    }
}
