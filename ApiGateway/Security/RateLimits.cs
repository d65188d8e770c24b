using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace ApiGateway.Security;

/// <summary>
/// Per-caller request budgets: a token bucket per signed-in user (per client address before sign-in) on every
/// request, and a stricter window per address on sign-in and token requests, against password guessing.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests a caller may send at once before being slowed down.</summary>
    public int Burst { get; set; } = 100;

    /// <summary>Requests per second a caller gets back; an annotator at human pace sends a few.</summary>
    public int PermitsPerSecond { get; set; } = 20;

    /// <summary>Sign-in and token requests per minute from one address.</summary>
    public int SignInPerMinute { get; set; } = 30;
}

public static class RateLimits
{
    public static IServiceCollection AddAnnotationRateLimits(this IServiceCollection services, RateLimitOptions limits)
    {
        return services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                RateLimitPartition.GetTokenBucketLimiter(CallerKey(http), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.Burst,
                    TokensPerPeriod = limits.PermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            o.AddPolicy(Policies.SignInRate, http =>
                RateLimitPartition.GetFixedWindowLimiter("ip:" + http.Connection.RemoteIpAddress, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.SignInPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            o.OnRejected = async (context, cancellation) =>
            {
                var http = context.HttpContext;
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)) : 1;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var details = new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many requests",
                    Detail = $"Too many requests from this caller; try again in {seconds} s.",
                    Type = "urn:annotation:problem:rate_limited",
                };
                details.Extensions["code"] = "rate_limited";
                details.Extensions["field"] = "caller";
                await http.RequestServices.GetRequiredService<IProblemDetailsService>()
                    .WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details });
            };
        });
    }

    static string CallerKey(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { } name } ? "user:" + name : "ip:" + http.Connection.RemoteIpAddress;
}
