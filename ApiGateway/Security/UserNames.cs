using System.Text.RegularExpressions;

namespace ApiGateway.Security;

/// <summary>User names: lower case letters, digits and <c>._@-</c>, starting with a letter or digit, at most 64 characters.</summary>
public static partial class UserNames
{
    public const int MaxLength = 64;
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 200;

    [GeneratedRegex("^[a-z0-9][a-z0-9._@-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>The user name in its stored form (lower case), or null when it cannot be one.</summary>
    public static string? Normalize(string? userName)
    {
        if (string.IsNullOrEmpty(userName) || userName.Length > MaxLength) return null;
        var lower = userName.ToLowerInvariant();
        return Pattern().IsMatch(lower) ? lower : null;
    }
}
