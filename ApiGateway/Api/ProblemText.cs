namespace ApiGateway.Api;

/// <summary>Input quoted in a refusal is cut short, so a huge field is never echoed back whole.</summary>
public static class ProblemText
{
    public const int MaxQuoted = 80;

    public static string Shorten(string? value, int max = MaxQuoted)
    {
        if (value is null) return "nothing";
        var clean = new string(value.Take(max + 1).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return clean.Length <= max ? clean : $"{clean[..max]}… ({value.Length} characters)";
    }
}
