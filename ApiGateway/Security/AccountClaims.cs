using System.Security.Claims;
using Grains.Interfaces;

namespace ApiGateway.Security;

/// <summary>The claims of a signed-in account and how they are read back.</summary>
public static class AccountClaims
{
    public const string StampType = "annotation:stamp";

    public static ClaimsPrincipal Principal(UserAccount account, string authenticationType) =>
        new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, account.UserName),
            new Claim(ClaimTypes.Role, RoleName(account.Role)),
            new Claim(StampType, account.SecurityStamp),
        ], authenticationType, ClaimTypes.Name, ClaimTypes.Role));

    public static string RoleName(UserRole role) => role switch
    {
        UserRole.Admin => "admin",
        UserRole.Manager => "manager",
        _ => "annotator",
    };

    public static UserRole? ParseRole(string? role) => role switch
    {
        "admin" => UserRole.Admin,
        "manager" => UserRole.Manager,
        "annotator" => UserRole.Annotator,
        _ => null,
    };

    /// <summary>The signed-in user's name; only called behind a policy that requires one.</summary>
    public static string UserName(this ClaimsPrincipal user) =>
        user.Identity?.Name ?? throw new InvalidOperationException("The endpoint needs a signed-in user.");

    public static bool IsManager(this ClaimsPrincipal user) => user.IsInRole("manager") || user.IsInRole("admin");
}
