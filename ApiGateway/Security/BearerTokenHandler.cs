using System.Text.Encodings.Web;
using Grains.Interfaces;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ApiGateway.Security;

/// <summary>Signs a request in from <c>Authorization: Bearer TOKEN</c>: the token's hash names its owner, whose account gives the role.</summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder, IGrainFactory grains,
    UnknownTokenLimit unknownTokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 200) return AuthenticateResult.Fail("Malformed bearer token.");
        var address = Context.Connection.RemoteIpAddress?.ToString() ?? "";
        if (!unknownTokens.MayTry(address, DateTime.UtcNow)) return AuthenticateResult.Fail("Too many unknown tokens from this address.");
        var owner = await grains.GetGrain<IApiTokenGrain>(ApiTokens.Hash(token)).Owner();
        if (owner is null)
        {
            unknownTokens.RecordFailure(address, DateTime.UtcNow);
            return AuthenticateResult.Fail("Unknown or revoked token.");
        }
        var account = await grains.GetGrain<IUserGrain>(owner).GetAccount();
        if (account is null) return AuthenticateResult.Fail("The token's user no longer exists.");
        return AuthenticateResult.Success(new AuthenticationTicket(AccountClaims.Principal(account, SchemeName), SchemeName));
    }
}
