namespace Grains.Interfaces;

/// <summary>An instance's reference mask, whether it was painted or imported, and every painting answer it has had.</summary>
[GenerateSerializer, Immutable, Alias("ReferenceView")]
public sealed record ReferenceView(
    [property: Id(0)] MaskRle? Reference,
    [property: Id(1)] bool Painted,
    [property: Id(2)] IReadOnlyList<ReferencePainting> Paintings,
    [property: Id(3)] int PaintingsWanted);
