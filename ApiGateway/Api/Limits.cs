namespace ApiGateway.Api;

/// <summary>Length limits of the strings the API stores, checked before anything is stored.</summary>
public static class Limits
{
    public const int MaxNameLength = 100;
    public const int MaxPathLength = 1024;
    public const int MaxClassNameLength = 200;
    public const int MaxPolicyLength = 4000;
    public const int MaxClasses = 1000;

    /// <summary>The trimmed text, null when missing or blank; refused when longer than <paramref name="max"/> or holding control characters.</summary>
    public static string? Text(string? value, string field, int max)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (value.Length > max)
            throw new ApiProblemException(400, Grains.Interfaces.RejectionCodes.Invalid, field,
                $"{field} has {value.Length} characters; at most {max} are allowed: '{ProblemText.Shorten(value)}'.");
        if (value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            throw new ApiProblemException(400, Grains.Interfaces.RejectionCodes.Invalid, field,
                $"{field} holds control characters: '{ProblemText.Shorten(value)}'.");
        return value.Trim();
    }
}
