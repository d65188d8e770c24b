namespace Grains.Interfaces;

/// <summary>A compressed COCO RLE mask (<c>{"size": [Height, Width], "counts": Counts}</c>).</summary>
[GenerateSerializer, Immutable, Alias("MaskRle")]
public sealed record MaskRle(
    [property: Id(0)] int Height,
    [property: Id(1)] int Width,
    [property: Id(2)] string Counts);
