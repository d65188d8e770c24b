namespace Segmentation.Models.Sam;

/// <summary>What stands when every way of asking the model collapses a mask the model was sure of.</summary>
public enum TrustFallback
{
    /// <summary>The previous mask, unchanged.</summary>
    Keep,

    /// <summary>The previous mask with the answer applied only near the new clicks (<see cref="LocalMerge"/>).</summary>
    LocalMerge,
}
