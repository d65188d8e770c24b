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

    /// <summary>Unknown bearer tokens one address may try per minute.</summary>
    public int UnknownTokensPerMinute { get; set; } = 60;
}
