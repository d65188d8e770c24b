using ApiGateway.Security;
using Grains.Interfaces;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace ApiGateway.Api;

/// <summary>Sign-in with a password (session cookie or a new API token), sign-out, who am I, and one's own tokens.</summary>
public static class AuthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Accounts");
        auth.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(RateLimits.SignInPolicy)
            .WithSummary("Password sign-in for browsers: sets the HTTP-only session cookie.");
        auth.MapPost("/tokens", CreateTokenWithPassword).AllowAnonymous().RequireRateLimiting(RateLimits.SignInPolicy)
            .WithSummary("Password sign-in for scripts: answers a new API token (shown once) for Authorization: Bearer.");
        auth.MapPost("/logout", (Delegate)Logout).RequireAuthorization(Policies.SignedIn);
        auth.MapGet("/me", Me).RequireAuthorization(Policies.SignedIn)
            .WithSummary("The signed-in account and the anti-forgery token that browser requests changing state must send as X-CSRF-TOKEN.");

        var mine = app.MapGroup("/api/v1/me/tokens").WithTags("Accounts").RequireAuthorization(Policies.SignedIn);
        mine.MapGet("", ListTokens);
        mine.MapPost("", CreateToken).WithSummary("A new API token for the signed-in account (shown once).");
        mine.MapDelete("/{tokenId}", RevokeToken);
    }

    /// <summary>A hash no password matches, verified for unknown user names so they take as long as known ones.</summary>
    static readonly Lazy<string> UnknownUserHash = new(() => new PasswordHasher<string>().HashPassword("", ApiTokens.NewToken()));

    static async Task<UserAccount> CheckPassword(IGrainFactory grains, IPasswordHasher<string> hasher, CredentialsRequest body)
    {
        var name = UserNames.Normalize(body.UserName);
        var password = body.Password ?? "";
        var account = name is null || password.Length > UserNames.MaxPasswordLength ? null : await grains.GetGrain<IUserGrain>(name).GetAccount();
        // One answer, in the same time, for an unknown user and a wrong password: neither tells which user names exist.
        var verified = hasher.VerifyHashedPassword(account?.UserName ?? "", account?.PasswordHash ?? UnknownUserHash.Value, password);
        if (account is null || verified == PasswordVerificationResult.Failed)
            throw new ApiProblemException(StatusCodes.Status401Unauthorized, "bad_credentials", "password", "Unknown user name or wrong password.");
        return account;
    }

    static async Task<AccountDto> Login(HttpContext http, IGrainFactory grains, IPasswordHasher<string> hasher, CancellationToken cancellation)
    {
        // A sign-in posted by another site would sign the victim's browser into the attacker's account.
        if (http.Request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site")
            throw new ApiProblemException(403, "forbidden", "Sec-Fetch-Site", "Sign in from this site's own sign-in page.");
        var body = await Json.ReadBody<CredentialsRequest>(http.Request, cancellation);
        var account = await CheckPassword(grains, hasher, body);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            AccountClaims.Principal(account, CookieAuthenticationDefaults.AuthenticationScheme));
        return new AccountDto(account.UserName, AccountClaims.RoleName(account.Role));
    }

    static async Task<IResult> CreateTokenWithPassword(HttpContext http, IGrainFactory grains, IPasswordHasher<string> hasher, CancellationToken cancellation)
    {
        var body = await Json.ReadBody<CredentialsRequest>(http.Request, cancellation);
        var account = await CheckPassword(grains, hasher, body);
        var created = await Issue(grains, account.UserName, Limits.Text(body.TokenName, "tokenName", Limits.MaxNameLength) ?? "script");
        return Results.Created($"/api/v1/me/tokens/{created.Id}", created);
    }

    static async Task<IResult> Logout(HttpContext http)
    {
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.NoContent();
    }

    static MeDto Me(HttpContext http, IAntiforgery antiforgery)
    {
        var user = http.User;
        // Browser sessions get a token bound to the signed-in user; token-authenticated callers need none.
        var token = user.Identity?.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme
            ? antiforgery.GetAndStoreTokens(http).RequestToken
            : null;
        return new MeDto(user.UserName(), user.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value ?? AccountClaims.AnnotatorRole, token);
    }

    static async Task<TokenListDto> ListTokens(HttpContext http, IGrainFactory grains)
    {
        var tokens = await grains.GetGrain<IUserGrain>(http.User.UserName()).ListTokens();
        return new TokenListDto(tokens.Select(t => new TokenDto(t.TokenId, t.Name, t.LastFour, t.CreatedAt)).ToArray());
    }

    static async Task<IResult> CreateToken(HttpContext http, IGrainFactory grains, CancellationToken cancellation)
    {
        var body = await Json.ReadBody<NewTokenRequest>(http.Request, cancellation);
        var created = await Issue(grains, http.User.UserName(), Limits.Text(body.Name, "name", Limits.MaxNameLength) ?? "token");
        return Results.Created($"/api/v1/me/tokens/{created.Id}", created);
    }

    static async Task<CreatedTokenDto> Issue(IGrainFactory grains, string userName, string name)
    {
        var token = ApiTokens.NewToken();
        var id = ApiTokens.NewId();
        var hash = ApiTokens.Hash(token);
        var summary = new ApiTokenSummary(id, name, token[^4..], DateTimeOffset.UtcNow, hash);
        // Listed with the user first: a token that exists is always one its owner can see and revoke.
        await grains.GetGrain<IUserGrain>(userName).AddToken(summary);
        await grains.GetGrain<IApiTokenGrain>(hash).Issue(userName, id);
        return new CreatedTokenDto(id, name, token, summary.CreatedAt);
    }

    static async Task<IResult> RevokeToken(string tokenId, HttpContext http, IGrainFactory grains)
    {
        if (tokenId.Length > 64)
            throw new ApiProblemException(400, RejectionCodes.Invalid, "tokenId", $"'{ProblemText.Shorten(tokenId)}' is not a token id.");
        var user = grains.GetGrain<IUserGrain>(http.User.UserName());
        var hash = (await user.ListTokens()).FirstOrDefault(t => t.TokenId == tokenId)?.TokenHash
            ?? throw new ApiProblemException(404, RejectionCodes.NotInitialized, "tokenId", $"You have no token {ProblemText.Shorten(tokenId)}.");
        // Revoked before it is unlisted: a failure in between leaves a listed, dead token, never a live, hidden one.
        await grains.GetGrain<IApiTokenGrain>(hash).Revoke();
        await user.RemoveToken(tokenId);
        return Results.NoContent();
    }
}
