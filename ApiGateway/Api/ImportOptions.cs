namespace ApiGateway.Api;

/// <summary>Limits of an import (section <c>Import</c>: <c>--Import:MaxBytes</c>, <c>--Import:MaxImageSide</c>, ...).</summary>
public sealed class ImportOptions
{
    /// <summary>The largest import file taken, in bytes (default 1 GiB); a larger body is refused with 413 before anything is imported.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>A declared image width or height above this refuses the row.</summary>
    public int MaxImageSide { get; set; } = Segmentation.Interchange.ImportLimits.Default.MaxImageSide;

    /// <summary>Polygon points of one ground-truth mask above this refuse the row.</summary>
    public int MaxPolygonPoints { get; set; } = Segmentation.Interchange.ImportLimits.Default.MaxPolygonPoints;

    public Segmentation.Interchange.ImportLimits Limits => Segmentation.Interchange.ImportLimits.Default with
    {
        MaxImageSide = MaxImageSide,
        MaxPolygonPoints = MaxPolygonPoints,
    };
}
