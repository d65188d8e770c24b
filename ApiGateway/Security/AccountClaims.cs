using System.Security.Claims;
using Grains.Interfaces;

namespace ApiGateway.Security;

/// <summary>The claims of a signed-in account and how they are read back.</summary>
public static class AccountClaims
{
    public const string StampType = "annotation:stamp";

    public const string AdminRole = "admin";
    public const string ManagerRole = "manager";
    public const string AnnotatorRole = "annotator";

    public static ClaimsPrincipal Principal(UserAccount account, string authenticationType) =>
        new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, account.UserName),
            new Claim(ClaimTypes.Role, RoleName(account.Role)),
            new Claim(StampType, account.SecurityStamp),
        ], authenticationType, ClaimTypes.Name, ClaimTypes.Role));

    public static string RoleName(UserRole role) => role switch
    {
        UserRole.Admin => AdminRole,
        UserRole.Manager => ManagerRole,
        _ => AnnotatorRole,
    };

    public static UserRole? ParseRole(string? role) => role switch
    {
        AdminRole => UserRole.Admin,
        ManagerRole => UserRole.Manager,
        AnnotatorRole => UserRole.Annotator,
        _ => null,
    };

    /// <summary>The signed-in user's name; only called behind a policy that requires one.</summary>
    public static string UserName(this ClaimsPrincipal user) =>
        user.Identity?.Name ?? throw new InvalidOperationException("The endpoint needs a signed-in user.");

    public static bool IsManager(this ClaimsPrincipal user) => user.IsInRole(ManagerRole) || user.IsInRole(AdminRole);

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(AdminRole);
}
