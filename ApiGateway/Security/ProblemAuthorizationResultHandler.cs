using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;

namespace ApiGateway.Security;

/// <summary>Refused authorization answers problem+json (401 or 403) instead of a redirect or an empty body.</summary>
public sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext http, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Succeeded)
        {
            await fallback.HandleAsync(next, http, policy, result);
            return;
        }
        (int status, string code, string field, string title, string detail) = result.Challenged
            ? (401, "unauthenticated", "authorization", "Sign-in required",
                "Sign in (session cookie) or send Authorization: Bearer TOKEN.")
            : (403, "forbidden", ForbiddenField(policy), "Forbidden",
                "Your account may not do this" + (http.GetRouteValue("campaignId") is string c ? $" in campaign {Api.ProblemText.Shorten(c)}." : "."));
        if (result.Challenged) http.Response.Headers.WWWAuthenticate = "Bearer";
        http.Response.StatusCode = status;
        var details = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"urn:annotation:problem:{code}" };
        details.Extensions["code"] = code;
        details.Extensions["field"] = field;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details });
    }

    /// <summary>A role the caller lacks, or a campaign the caller is not a member of.</summary>
    static string ForbiddenField(AuthorizationPolicy policy) =>
        policy.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>().Any() ? "role" : "campaignId";
}
