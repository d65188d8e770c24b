namespace Grains.Interfaces;

/// <summary>What a gold task shows: the instance as its round 1 did, with the box model's mask and no clicks.</summary>
[GenerateSerializer, Immutable, Alias("GoldTask")]
public sealed record GoldTask(
    [property: Id(0)] InstanceSpec Spec,
    [property: Id(1)] MaskRle Mask);
