using Grains.Interfaces;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;

namespace ApiGateway.Security;

/// <summary>Accounts, sign-in (session cookie or bearer token), the policies, anti-forgery and rate limits.</summary>
public static class SecuritySetup
{
    const string AutoScheme = "cookie-or-bearer";
    public const string CookieName = "annotation.session";

    public static IServiceCollection AddAnnotationSecurity(this IServiceCollection services, IConfiguration configuration, string dataFolder)
    {
        services.AddSingleton<IPasswordHasher<string>, PasswordHasher<string>>();
        services.AddSingleton(ImageRoots.FromConfiguration(configuration, dataFolder));
        // Kept with the data, so sessions survive a restart.
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataFolder, "keys")))
            .SetApplicationName("annotation-backend");
        services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryCheck.HeaderName;
            o.Cookie.Name = "annotation.antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });

        services.AddAuthentication(AutoScheme)
            .AddPolicyScheme(AutoScheme, "Session cookie or API token", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? BearerTokenHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                o.LoginPath = "/login.html";
                o.Events.OnValidatePrincipal = ValidateSession;
                // The API answers 401/403 itself (ProblemAuthorizationResultHandler); never redirect an API call.
                o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
                o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
            });

        services.AddSingleton<IAuthorizationHandler, CampaignMemberHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.SignedIn, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Manager, p => p.RequireAuthenticatedUser().RequireRole(AccountClaims.ManagerRole, AccountClaims.AdminRole))
            .AddPolicy(Policies.CampaignMember, p => p.RequireAuthenticatedUser().AddRequirements(new CampaignMemberRequirement()))
            // An endpoint mapped without a policy is closed, not open.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        var limits = new RateLimitOptions();
        configuration.GetSection("RateLimit").Bind(limits);
        services.AddAnnotationRateLimits(limits);
        services.AddSingleton(new UnknownTokenLimit(limits.UnknownTokensPerMinute));
        return services;
    }

    /// <summary>A session ends when its account is gone or its password changed since sign-in.</summary>
    static async Task ValidateSession(CookieValidatePrincipalContext context)
    {
        var name = context.Principal?.Identity?.Name;
        var stamp = context.Principal?.FindFirst(AccountClaims.StampType)?.Value;
        var grains = context.HttpContext.RequestServices.GetRequiredService<IGrainFactory>();
        var account = name is null ? null : await grains.GetGrain<IUserGrain>(name).GetAccount();
        if (account is null || account.SecurityStamp != stamp)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }
        if (AccountClaims.RoleName(account.Role) != context.Principal!.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value)
        {
            context.ReplacePrincipal(AccountClaims.Principal(account, CookieAuthenticationDefaults.AuthenticationScheme));
            context.ShouldRenew = true;
        }
    }

    /// <summary>Sign-in, rate limits, anti-forgery and authorization, in that order, after routing.</summary>
    public static void UseAnnotationSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseRateLimiter();
        app.Use(AntiforgeryCheck.Run);
        app.UseAuthorization();
    }
}
