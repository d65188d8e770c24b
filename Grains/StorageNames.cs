namespace Grains;

public static class StorageNames
{
    /// <summary>The grain storage provider that holds the annotation grains' state (campaigns, queues' counts, annotators, ...).</summary>
    public const string Annotation = "annotation";

    /// <summary>The provider that keeps each instance grain's state in its row of the campaign's instance table.</summary>
    public const string Instances = "instances";
}
