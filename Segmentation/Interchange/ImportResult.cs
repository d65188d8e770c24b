using Segmentation.Masks;

namespace Segmentation.Interchange;

/// <summary>
/// One object box read from an import file, ready to become an annotation-campaign instance.
/// </summary>
/// <param name="Row">
/// Where the row came from: the 1-based index in the COCO <c>annotations</c> array, or the line number
/// in an OpenImages CSV file (the header is line 1).
/// </param>
/// <param name="InstanceId">Validated instance id: non-empty, at most 200 characters, no '/' and no control characters.</param>
/// <param name="ImageFile">The image path relative to the image folder, with '/' separators.</param>
/// <param name="ImageWidth">Image width in pixels (positive).</param>
/// <param name="ImageHeight">Image height in pixels (positive).</param>
/// <param name="ClassName">The object's class (category name or label).</param>
/// <param name="X0">Left edge in pixels, inside 0..<paramref name="ImageWidth"/>.</param>
/// <param name="Y0">Top edge in pixels, inside 0..<paramref name="ImageHeight"/>.</param>
/// <param name="X1">Right edge in pixels, greater than <paramref name="X0"/>.</param>
/// <param name="Y1">Bottom edge in pixels, greater than <paramref name="Y0"/>.</param>
/// <param name="GroundTruthRle">
/// The ground-truth mask as a compressed COCO RLE string of <paramref name="ImageHeight"/> x
/// <paramref name="ImageWidth"/> (see <see cref="CocoRle"/>), or null when the file gives none.
/// </param>
public sealed record ImportRow(
    int Row,
    string InstanceId,
    string ImageFile,
    int ImageWidth,
    int ImageHeight,
    string ClassName,
    double X0,
    double Y0,
    double X1,
    double Y1,
    string? GroundTruthRle)
{
    /// <summary>The box as a kernel <see cref="BoxF"/>.</summary>
    public BoxF Box => new(X0, Y0, X1, Y1);

    /// <summary>The ground truth as an <see cref="RleMask"/> of the image's size, or null.</summary>
    public RleMask? GroundTruth => GroundTruthRle is null ? null : new RleMask(ImageHeight, ImageWidth, GroundTruthRle);
}

/// <summary>A rejected import row: where it is, which field is wrong and why.</summary>
/// <param name="Row">The row number, counted as in <see cref="ImportRow.Row"/>.</param>
/// <param name="Field">The offending field: a COCO property (<c>bbox</c>, <c>image_id</c>, <c>file_name</c>, ...) or a CSV column name.</param>
/// <param name="Message">A readable explanation, naming the value where that helps.</param>
public sealed record ImportRowError(int Row, string Field, string Message)
{
    public override string ToString() => $"row {Row}, {Field}: {Message}";
}

/// <summary>
/// The outcome of parsing an import file: the usable rows, the problems of the rejected ones (a rejected
/// row may have several), and how many rows the file held.
/// </summary>
/// <param name="Rows">Usable rows in file order.</param>
/// <param name="Errors">Problems in file order; no row with an error is in <paramref name="Rows"/>.</param>
/// <param name="RowsRead">Number of data rows in the file (COCO annotations, CSV records after the header).</param>
public sealed record ImportParseResult(IReadOnlyList<ImportRow> Rows, IReadOnlyList<ImportRowError> Errors, int RowsRead);

/// <summary>Limits an import enforces on every row; a row that passes one is refused with the field at fault.</summary>
/// <remarks>They keep one row's memory and time bounded whatever the file declares.</remarks>
public sealed record ImportLimits
{
    /// <summary>Largest image width or height in pixels; above it the row is refused (field <c>width</c> or <c>height</c>).</summary>
    public int MaxImageSide { get; init; } = 30_000;

    /// <summary>Largest image area (width x height) in pixels; above it the row is refused.</summary>
    public long MaxImagePixels { get; init; } = 300_000_000;

    /// <summary>Most polygon points of one annotation, over all its polygons (field <c>segmentation</c>).</summary>
    public int MaxPolygonPoints { get; init; } = 100_000;

    /// <summary>Most run-length counts of one ground-truth mask (field <c>segmentation</c>, or the mask column).</summary>
    public int MaxRleCounts { get; init; } = 2_000_000;

    /// <summary>The limits above.</summary>
    public static ImportLimits Default { get; } = new();

    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive.</exception>
    internal void Check()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxImageSide, 1, nameof(MaxImageSide));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxImagePixels, 1, nameof(MaxImagePixels));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPolygonPoints, 1, nameof(MaxPolygonPoints));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRleCounts, 1, nameof(MaxRleCounts));
    }

    /// <summary>Why an image of this size is refused, as (field, message), or null when it is accepted.</summary>
    internal (string Field, string Message)? SizeProblem(int width, int height, string what)
    {
        if (width > MaxImageSide) return ("width", $"{what} is {width} px wide; at most {MaxImageSide} are accepted.");
        if (height > MaxImageSide) return ("height", $"{what} is {height} px high; at most {MaxImageSide} are accepted.");
        var pixels = (long)width * height;
        if (pixels > MaxImagePixels) return ("width", $"{what} is {width}x{height} = {pixels} pixels; at most {MaxImagePixels} are accepted.");
        return null;
    }
}

/// <summary>One data row of an import file: a usable row, or the errors that refused it.</summary>
/// <param name="Row">The row number, counted as in <see cref="ImportRow.Row"/>.</param>
/// <param name="Value">The usable row, or null when the row is refused.</param>
/// <param name="Errors">Why the row is refused (in the order found); empty when <paramref name="Value"/> is set.</param>
public sealed record ImportRecord(int Row, ImportRow? Value, IReadOnlyList<ImportRowError> Errors)
{
    /// <summary>Collects records into the result the in-memory parsers return.</summary>
    internal static ImportParseResult Collect(IEnumerable<ImportRecord> records)
    {
        var rows = new List<ImportRow>();
        var errors = new List<ImportRowError>();
        var count = 0;
        foreach (var record in records)
        {
            count++;
            if (record.Value is { } row) rows.Add(row);
            else errors.AddRange(record.Errors);
        }
        return new ImportParseResult(rows, errors, count);
    }
}
