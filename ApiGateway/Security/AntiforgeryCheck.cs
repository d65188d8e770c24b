using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace ApiGateway.Security;

/// <summary>
/// A state-changing request signed in by the session cookie must carry the anti-forgery token from
/// <c>GET /api/v1/auth/me</c> in <see cref="HeaderName"/>; token-authenticated scripts need none (a browser never adds the header by itself).
/// </summary>
public static class AntiforgeryCheck
{
    public const string HeaderName = "X-CSRF-TOKEN";

    public static async Task Run(HttpContext http, Func<Task> next)
    {
        var method = http.Request.Method;
        var safe = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
        if (!safe && http.User.Identity is { IsAuthenticated: true, AuthenticationType: CookieAuthenticationDefaults.AuthenticationScheme }
            && !http.Request.Path.StartsWithSegments("/api/v1/auth/login"))
        {
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            try
            {
                await antiforgery.ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException e)
            {
                throw new Api.ApiProblemException(StatusCodes.Status400BadRequest, "antiforgery", HeaderName,
                    $"A signed-in browser request that changes state needs the {HeaderName} header from GET /api/v1/auth/me: {e.Message}");
            }
        }
        await next();
    }
}
