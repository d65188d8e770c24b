namespace Grains.Interfaces;

/// <summary>How an extra-click budget chooses the instances that get extra rounds.</summary>
[GenerateSerializer, Alias("ExtraRoundStrategy")]
public enum ExtraRoundStrategy
{
    /// <summary>Lowest predicted IoU first (needs a quality model).</summary>
    Ranked = 0,

    /// <summary>A seeded random order.</summary>
    Random = 1,

    /// <summary>In the order the instances finished their rounds.</summary>
    QueueOrder = 2,
}
