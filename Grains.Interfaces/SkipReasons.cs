namespace Grains.Interfaces;

/// <summary>Why an annotator skips an object: the short list the annotation page offers.</summary>
public static class SkipReasons
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "too_small", "occluded", "not_this_class", "group_or_crowd", "other",
    };
}
