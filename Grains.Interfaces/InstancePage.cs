namespace Grains.Interfaces;

/// <summary>Where a page of a campaign's instances ends: instances are listed by image path, then import order.</summary>
[GenerateSerializer, Immutable, Alias("InstanceCursor")]
public sealed record InstanceCursor(
    [property: Id(0)] string ImagePath,
    [property: Id(1)] long Sequence);

/// <summary>A page of a campaign's instances; <see cref="Next"/> is null after the last page.</summary>
[GenerateSerializer, Immutable, Alias("InstancePage")]
public sealed record InstancePage(
    [property: Id(0)] IReadOnlyList<InstanceView> Items,
    [property: Id(1)] InstanceCursor? Next);
