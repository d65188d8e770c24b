namespace Grains;

public static class StorageNames
{
    /// <summary>The grain storage provider that holds all annotation state.</summary>
    public const string Annotation = "annotation";
}
