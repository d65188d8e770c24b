namespace Grains.Interfaces;

/// <summary>The kinds of qualification an annotator can hold, each with its own test.</summary>
public static class QualificationKinds
{
    /// <summary>Corrective clicks on a model's mask.</summary>
    public const string Corrective = "corrective";

    /// <summary>Painting a reference mask from scratch.</summary>
    public const string Painting = "painting";

    public static readonly IReadOnlyList<string> All = [Corrective, Painting];
}
