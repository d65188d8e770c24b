using ApiGateway.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Grains.Interfaces;
using Microsoft.AspNetCore.Identity;

namespace ApiGateway.Api;

/// <summary>People: managers create annotator accounts and reset their passwords; admins do so for every role; anyone changes their own password.</summary>
public static class UserEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/v1/users").WithTags("Accounts").RequireAuthorization(Policies.Manager);
        users.MapGet("", ListUsers);
        users.MapPost("", CreateUser).WithSummary("Create an account (managers: annotators only).");
        users.MapPut("/{userName}/password", ResetPassword).WithSummary("Set another account's password (managers: annotators only).");
        app.MapPut("/api/v1/me/password", ChangeOwnPassword).WithTags("Accounts").RequireAuthorization(Policies.SignedIn)
            .RequireRateLimiting(RateLimits.SignInPolicy)
            .WithSummary("Change one's own password (the current one is required); other sessions end.");
    }

    static async Task<UserListDto> ListUsers(IGrainFactory grains)
    {
        var names = await grains.GetGrain<IUserDirectoryGrain>(0).List();
        var users = await Task.WhenAll(names.Select(async name =>
        {
            var account = await grains.GetGrain<IUserGrain>(name).GetAccount();
            var qualified = await grains.GetGrain<IAnnotatorGrain>(name).IsQualified();
            return account is null ? null : new UserDto(account.UserName, AccountClaims.RoleName(account.Role), qualified, account.CreatedAt);
        }));
        return new UserListDto(users.OfType<UserDto>().ToArray());
    }

    static async Task<IResult> CreateUser(HttpContext http, IGrainFactory grains, IPasswordHasher<string> hasher, CancellationToken cancellation)
    {
        var body = await Json.ReadBody<NewUserRequest>(http.Request, cancellation);
        var name = RequireUserName(body.UserName, "userName");
        var role = AccountClaims.ParseRole(body.Role ?? AccountClaims.AnnotatorRole)
            ?? throw new ApiProblemException(400, RejectionCodes.Invalid, "role", $"role must be annotator, manager or admin, got '{ProblemText.Shorten(body.Role)}'.");
        if (role != UserRole.Annotator && !http.User.IsAdmin())
            throw new ApiProblemException(403, "forbidden", "role", "Only admins create manager and admin accounts.");
        var password = RequirePassword(body.Password, "password");
        var user = grains.GetGrain<IUserGrain>(name);
        if (await user.GetAccount() is not null)
            throw new ApiProblemException(409, RejectionCodes.AlreadyInitialized, "userName", $"User {name} already exists.");
        await user.Create(role, hasher.HashPassword(name, password));
        return Results.Created($"/api/v1/users/{name}", new UserDto(name, AccountClaims.RoleName(role), false, DateTimeOffset.UtcNow));
    }

    static async Task<IResult> ResetPassword(string userName, HttpContext http, IGrainFactory grains, IPasswordHasher<string> hasher, CancellationToken cancellation)
    {
        var name = RequireUserName(userName, "userName");
        var body = await Json.ReadBody<PasswordRequest>(http.Request, cancellation);
        var password = RequirePassword(body.Password, "password");
        var user = grains.GetGrain<IUserGrain>(name);
        var account = await user.GetAccount()
            ?? throw new ApiProblemException(404, RejectionCodes.NotInitialized, "userName", $"User {name} does not exist.");
        if (account.Role != UserRole.Annotator && !http.User.IsAdmin())
            throw new ApiProblemException(403, "forbidden", "userName", "Only admins set the passwords of manager and admin accounts.");
        await user.SetPasswordHash(hasher.HashPassword(name, password));
        // A password set by someone else is a reset, often after a leak: the account's tokens end with its sessions.
        await RevokeAllTokens(grains, user);
        return Results.NoContent();
    }

    static async Task<IResult> ChangeOwnPassword(HttpContext http, IGrainFactory grains, IPasswordHasher<string> hasher, CancellationToken cancellation)
    {
        var body = await Json.ReadBody<ChangePasswordRequest>(http.Request, cancellation);
        var name = http.User.UserName();
        var user = grains.GetGrain<IUserGrain>(name);
        var account = await user.GetAccount() ?? throw new ApiProblemException(404, RejectionCodes.NotInitialized, "userName", $"User {name} does not exist.");
        if (hasher.VerifyHashedPassword(name, account.PasswordHash, body.CurrentPassword ?? "") == PasswordVerificationResult.Failed)
            throw new ApiProblemException(400, "bad_credentials", "currentPassword", "The current password is wrong.");
        await user.SetPasswordHash(hasher.HashPassword(name, RequirePassword(body.Password, "password")));
        // The change ended every session, this one included; a browser that made it stays signed in.
        if (http.User.Identity?.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme && await user.GetAccount() is { } changed)
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
                AccountClaims.Principal(changed, CookieAuthenticationDefaults.AuthenticationScheme));
        return Results.NoContent();
    }

    /// <summary>Revokes every token of the user (each before it is unlisted, as a single revocation does).</summary>
    public static async Task RevokeAllTokens(IGrainFactory grains, IUserGrain user)
    {
        foreach (var token in await user.ListTokens())
        {
            await grains.GetGrain<IApiTokenGrain>(token.TokenHash).Revoke();
            await user.RemoveToken(token.TokenId);
        }
    }

    public static string RequireUserName(string? userName, string field) => UserNames.Normalize(userName)
        ?? throw new ApiProblemException(400, RejectionCodes.Invalid, field,
            $"'{ProblemText.Shorten(userName)}' is not a user name (letters, digits and ._@-, starting with a letter or digit, at most {UserNames.MaxLength}).");

    static string RequirePassword(string? password, string field)
    {
        if (password is null || password.Length < UserNames.MinPasswordLength || password.Length > UserNames.MaxPasswordLength)
            throw new ApiProblemException(400, RejectionCodes.Invalid, field,
                $"The password must have {UserNames.MinPasswordLength} to {UserNames.MaxPasswordLength} characters.");
        return password;
    }
}
