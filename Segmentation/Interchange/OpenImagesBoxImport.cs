using System.Globalization;
using System.Text;
using Segmentation.Evaluation.Datasets;
using Segmentation.Imaging;
using Segmentation.Masks;

namespace Segmentation.Interchange;

/// <summary>An image found for an OpenImages <c>ImageID</c>: its path relative to the image folder ('/' separators) and its size in pixels.</summary>
public sealed record ResolvedImage(string File, int Width, int Height);

/// <summary>
/// Reads object boxes from an OpenImages-style box CSV (as in <c>oidv6-train-annotations-bbox.csv</c>), for
/// importing into an annotation campaign. Every record after the header is one row, numbered by the file
/// line it starts on (the header is line 1).
/// </summary>
/// <remarks>
/// <para>
/// The header must name at least <c>ImageID</c>, <c>LabelName</c>, <c>XMin</c>, <c>XMax</c>, <c>YMin</c> and
/// <c>YMax</c>, in any order and any letter case; other columns (<c>Source</c>, <c>Confidence</c>,
/// <c>IsGroupOf</c>, ...) are ignored. Fields follow RFC 4180 (double-quoted fields may hold commas, quotes
/// written twice and line breaks); numbers are read in the invariant culture. Coordinates are fractions of
/// the image size and must satisfy <c>0 &lt;= XMin &lt; XMax &lt;= 1</c> and the same for Y.
/// </para>
/// <para>
/// The instance id is the <c>BoxID</c> column when the file has one and the field is not empty, otherwise
/// <c>{ImageID}-{line}</c>. Ids must be valid instance ids (non-empty, at most 200 characters, no '/', no
/// control characters) and unique in the file. The <c>LabelName</c> (e.g. <c>/m/01g317</c>) becomes the class
/// name as it is.
/// </para>
/// <para>
/// Images are found by the caller's resolver (see <see cref="FolderResolver"/>), asked once per <c>ImageID</c>
/// while it is among the last <see cref="ImageCacheSize"/> ones used. An optional <c>MaskPath</c> column names a
/// ground-truth mask image relative to the masks folder (non-zero pixels are the object; the mask must have the
/// image's size, which is checked from its header before it is decoded, and cover at least one pixel); it is
/// returned as a compressed COCO RLE string. An empty <c>MaskPath</c> means no ground truth.
/// </para>
/// <para>
/// Rejected rows, with the column at fault: a wrong number of fields or an unclosed quote (<c>row</c>), a
/// non-numeric, out-of-range or inverted coordinate (<c>XMin</c> .. <c>YMax</c>; an inverted pair is
/// reported on the Max column), an empty <c>LabelName</c>, an empty, unknown or unreadable image
/// (<c>ImageID</c>, also for an image past <see cref="ImportLimits.MaxImageSide"/> or
/// <see cref="ImportLimits.MaxImagePixels"/>), an invalid or duplicate id (<c>BoxID</c>, or <c>ImageID</c> for
/// generated ids), a bad mask (<c>MaskPath</c>, also for one needing more than <see cref="ImportLimits.MaxRleCounts"/>
/// run lengths) and a record longer than <see cref="MaxRecordChars"/> characters (<c>row</c>). A row may have
/// several problems.
/// </para>
/// </remarks>
public static class OpenImagesBoxImport
{
    /// <summary>The columns every box CSV must have.</summary>
    public static IReadOnlyList<string> RequiredColumns { get; } = ["ImageID", "LabelName", "XMin", "XMax", "YMin", "YMax"];

    /// <summary>The optional column holding instance ids.</summary>
    public const string BoxIdColumn = "BoxID";

    /// <summary>The optional column naming ground-truth mask files.</summary>
    public const string MaskPathColumn = "MaskPath";

    /// <summary>How many ImageIDs' resolutions are remembered while reading.</summary>
    public const int ImageCacheSize = 4096;

    /// <summary>The longest record read; a longer one is refused without being kept in memory.</summary>
    public const int MaxRecordChars = 1 << 20;

    /// <summary>File extensions <see cref="FolderResolver"/> tries, in order.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".JPG", ".JPEG", ".PNG", ".WEBP", ".BMP"];

    /// <summary>Parses a box CSV from a stream (UTF-8 unless a byte-order mark says otherwise); the stream is left open.</summary>
    /// <inheritdoc cref="Parse(TextReader, Func{string, ResolvedImage?}, string?)"/>
    public static ImportParseResult Parse(Stream csv, Func<string, ResolvedImage?> resolveImage, string? masksFolder = null)
    {
        ArgumentNullException.ThrowIfNull(csv);
        using var reader = new StreamReader(csv, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        return Parse(reader, resolveImage, masksFolder);
    }

    /// <summary>Parses a box CSV, keeping every row in memory (rows are checked against <see cref="ImportLimits.Default"/>).</summary>
    /// <param name="csv">The CSV text.</param>
    /// <param name="resolveImage">
    /// Finds an image by its <c>ImageID</c>; null when there is none. An <see cref="IOException"/>,
    /// <see cref="InvalidDataException"/> or <see cref="UnauthorizedAccessException"/> it throws rejects the
    /// image's rows; a returned path that is not a safe relative path, or a size that is not positive, too.
    /// </param>
    /// <param name="masksFolder">The folder <c>MaskPath</c> values are relative to; needed when the file has that column.</param>
    /// <exception cref="InvalidDataException">
    /// The file is empty, its header lacks a required column (all missing ones are named), names a column
    /// twice, or has a <c>MaskPath</c> column while no <paramref name="masksFolder"/> is given.
    /// </exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="masksFolder"/> is given but does not exist.</exception>
    public static ImportParseResult Parse(TextReader csv, Func<string, ResolvedImage?> resolveImage, string? masksFolder = null) =>
        ImportRecord.Collect(Read(csv, resolveImage, masksFolder, ImportLimits.Default));

    /// <summary>
    /// Reads a box CSV line by line, one record per CSV record after the header, made as the caller asks for them;
    /// memory is bounded by one record, the last <see cref="ImageCacheSize"/> image lookups and the ids already used.
    /// </summary>
    /// <param name="csv">The CSV text; read once, so the records can be enumerated once.</param>
    /// <param name="resolveImage"><inheritdoc cref="Parse(TextReader, Func{string, ResolvedImage?}, string?)" path="/param[@name='resolveImage']"/></param>
    /// <param name="masksFolder"><inheritdoc cref="Parse(TextReader, Func{string, ResolvedImage?}, string?)" path="/param[@name='masksFolder']"/></param>
    /// <param name="limits">What one row may cost.</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="masksFolder"/> is given but does not exist (raised at once).</exception>
    /// <exception cref="InvalidDataException">
    /// Raised by the first <c>MoveNext</c>, before any record: the file is empty, its header lacks a required column
    /// (all missing ones are named), names a column twice, or has a <c>MaskPath</c> column while no
    /// <paramref name="masksFolder"/> is given.
    /// </exception>
    public static IEnumerable<ImportRecord> Read(TextReader csv, Func<string, ResolvedImage?> resolveImage, string? masksFolder, ImportLimits limits)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(resolveImage);
        ArgumentNullException.ThrowIfNull(limits);
        limits.Check();
        if (masksFolder is not null && !Directory.Exists(masksFolder))
            throw new DirectoryNotFoundException($"Masks folder not found: {masksFolder}");
        return ReadCore(csv, resolveImage, masksFolder, limits);
    }

    private static IEnumerable<ImportRecord> ReadCore(TextReader csv, Func<string, ResolvedImage?> resolveImage, string? masksFolder, ImportLimits limits)
    {
        using var records = CsvReader.Read(csv, MaxRecordChars).GetEnumerator();
        if (!records.MoveNext())
            throw new InvalidDataException(
                $"The CSV file is empty; expected a header line with the columns {string.Join(", ", RequiredColumns)}.");
        var columns = Columns.FromHeader(records.Current);
        if (columns.MaskPath is not null && masksFolder is null)
            throw new InvalidDataException(
                $"The CSV file has a {MaskPathColumn} column but no masks folder was given to read the masks from.");

        var context = new RowContext(columns, resolveImage, masksFolder, limits);
        while (records.MoveNext())
        {
            var errors = new List<ImportRowError>();
            var row = context.Read(records.Current, errors);
            yield return new ImportRecord(records.Current.Line, errors.Count == 0 ? row : null, errors.Count == 0 ? [] : errors);
        }
    }

    /// <summary>
    /// A resolver that looks for <c>{ImageID}.jpg</c>, <c>.jpeg</c>, <c>.png</c>, <c>.webp</c> or <c>.bmp</c>
    /// (lower or upper case) directly under <paramref name="imageRoot"/> and reads only the image header for
    /// its size. Ids that are not plain file-name parts (containing '/', '\', control characters, or being
    /// '.' / '..') are not found. A file that is not a readable image throws <see cref="InvalidDataException"/>,
    /// which the importer reports on the rows of that image.
    /// </summary>
    public static Func<string, ResolvedImage?> FolderResolver(string imageRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageRoot);
        return imageId =>
        {
            if (imageId.Contains('/') || InterchangeNames.RelativePathProblem(imageId) is not null) return null;
            foreach (var extension in ImageExtensions)
            {
                var name = imageId + extension;
                var path = Path.Combine(imageRoot, name);
                if (!File.Exists(path)) continue;
                var (width, height) = ImageHeader.ReadSize(path);
                return new ResolvedImage(name, width, height);
            }
            return null;
        };
    }

    /// <summary>Column positions from the header line.</summary>
    private sealed record Columns(int Count, int ImageId, int LabelName, int XMin, int XMax, int YMin, int YMax, int? BoxId, int? MaskPath)
    {
        public static Columns FromHeader(CsvRecord header)
        {
            if (header.Error is not null)
                throw new InvalidDataException($"The CSV header (line {header.Line}) is malformed: {header.Error}");
            var positions = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Fields.Count; i++)
            {
                var name = header.Fields[i].Trim();
                if (i == 0) name = name.TrimStart('\uFEFF');
                if (name.Length == 0) continue;
                if (!positions.TryAdd(name, i))
                    throw new InvalidDataException($"The CSV header (line {header.Line}) names the column {name} twice.");
            }
            var missing = RequiredColumns.Where(c => !positions.ContainsKey(c)).ToArray();
            if (missing.Length > 0)
                throw new InvalidDataException(
                    $"The CSV header (line {header.Line}) lacks the column{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing)}; " +
                    $"found: {string.Join(", ", header.Fields.Select(f => f.Trim().TrimStart('\uFEFF')))}.");
            return new Columns(
                header.Fields.Count,
                positions["ImageID"], positions["LabelName"],
                positions["XMin"], positions["XMax"], positions["YMin"], positions["YMax"],
                positions.TryGetValue(BoxIdColumn, out var boxId) ? boxId : null,
                positions.TryGetValue(MaskPathColumn, out var maskPath) ? maskPath : null);
        }
    }

    /// <summary>What a resolver said about one ImageID.</summary>
    private sealed record ImageLookup(ResolvedImage? Image, string? Problem);

    /// <summary>State shared by the rows of one file: resolved images and ids already used.</summary>
    private sealed class RowContext(Columns columns, Func<string, ResolvedImage?> resolveImage, string? masksFolder, ImportLimits limits)
    {
        private readonly BoundedCache<string, ImageLookup> images = new(ImageCacheSize);
        private readonly CompactStringMap firstLineOfId = new();

        public ImportRow? Read(CsvRecord record, List<ImportRowError> errors)
        {
            var line = record.Line;
            void Fail(string field, string message) => errors.Add(new ImportRowError(line, field, message));

            if (record.Error is not null)
            {
                Fail("row", record.Error);
                return null;
            }
            var fields = record.Fields;
            if (fields.Count != columns.Count)
            {
                Fail("row", $"the line has {fields.Count} field{(fields.Count == 1 ? "" : "s")}, the header has {columns.Count}.");
                return null;
            }

            var imageId = fields[columns.ImageId];
            var label = fields[columns.LabelName];
            if (InterchangeNames.ClassNameProblem(label) is { } labelProblem) Fail("LabelName", labelProblem);
            var x = ReadRange(fields, columns.XMin, columns.XMax, "XMin", "XMax", Fail);
            var y = ReadRange(fields, columns.YMin, columns.YMax, "YMin", "YMax", Fail);

            ResolvedImage? image = null;
            if (imageId.Length == 0)
            {
                Fail("ImageID", "the ImageID is empty.");
            }
            else
            {
                var lookup = Resolve(imageId);
                if (lookup.Problem is not null) Fail("ImageID", lookup.Problem);
                image = lookup.Image;
            }

            var id = ReadId(fields, imageId, line, Fail);
            var truth = image is null ? null : ReadMask(fields, image, Fail);
            if (errors.Count > 0) return null;
            return new ImportRow(
                line, id!, image!.File, image.Width, image.Height, label,
                x!.Value.Min * image.Width, y!.Value.Min * image.Height,
                x.Value.Max * image.Width, y.Value.Max * image.Height,
                truth);
        }

        private static (double Min, double Max)? ReadRange(
            IReadOnlyList<string> fields, int minIndex, int maxIndex, string minName, string maxName, Action<string, string> fail)
        {
            var min = ReadFraction(fields[minIndex], minName, fail);
            var max = ReadFraction(fields[maxIndex], maxName, fail);
            if (min is null || max is null) return null;
            if (min.Value >= max.Value)
            {
                fail(maxName, $"{maxName} ({Format(max.Value)}) must be greater than {minName} ({Format(min.Value)}).");
                return null;
            }
            return (min.Value, max.Value);
        }

        private static double? ReadFraction(string text, string name, Action<string, string> fail)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                fail(name, $"{name} '{text}' is not a number.");
                return null;
            }
            if (value is < 0 or > 1)
            {
                fail(name, $"{name} ({Format(value)}) is outside 0..1; coordinates are fractions of the image size.");
                return null;
            }
            return value;
        }

        private string? ReadId(IReadOnlyList<string> fields, string imageId, int line, Action<string, string> fail)
        {
            string id, field;
            if (columns.BoxId is { } boxIdColumn && fields[boxIdColumn].Length > 0)
            {
                (id, field) = (fields[boxIdColumn], BoxIdColumn);
            }
            else
            {
                if (imageId.Length == 0) return null; // already reported
                (id, field) = ($"{imageId}-{line.ToString(CultureInfo.InvariantCulture)}", "ImageID");
            }
            if (InterchangeNames.InstanceIdProblem(id) is { } problem)
            {
                fail(field, problem);
                return null;
            }
            if (!firstLineOfId.TryAdd(id, line, out var firstLine))
            {
                fail(field, $"the instance id '{id}' is already used on line {firstLine}.");
                return null;
            }
            return id;
        }

        private ImageLookup Resolve(string imageId) => images.GetOrAdd(imageId, Lookup);

        private ImageLookup Lookup(string imageId)
        {
            ImageLookup lookup;
            try
            {
                var image = resolveImage(imageId);
                lookup = image is null
                    ? new ImageLookup(null, $"image '{imageId}' was not found.")
                    : InterchangeNames.RelativePathProblem(image.File) is { } pathProblem
                        ? new ImageLookup(null, $"image '{imageId}' resolved to an unusable path: {pathProblem}")
                        : image.Width <= 0 || image.Height <= 0
                            ? new ImageLookup(null, $"image '{imageId}' has no positive size ({image.Width}x{image.Height}).")
                            : limits.SizeProblem(image.Width, image.Height, $"image '{imageId}'") is { } sizeProblem
                                ? new ImageLookup(null, sizeProblem.Message)
                                : new ImageLookup(image, null);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                lookup = new ImageLookup(null, $"image '{imageId}' could not be read: {ex.Message}");
            }
            return lookup;
        }

        private string? ReadMask(IReadOnlyList<string> fields, ResolvedImage image, Action<string, string> fail)
        {
            if (columns.MaskPath is not { } maskColumn || fields[maskColumn].Length == 0) return null;
            var maskPath = fields[maskColumn];
            if (InterchangeNames.RelativePathProblem(maskPath) is { } pathProblem)
            {
                fail(MaskPathColumn, pathProblem);
                return null;
            }
            if ((long)image.Width * image.Height > uint.MaxValue)
            {
                fail(MaskPathColumn, $"the {image.Width}x{image.Height} image is too large for COCO masks.");
                return null;
            }
            var fullPath = Path.Combine(masksFolder!, maskPath);
            BinaryMask mask;
            try
            {
                // The header first: a mask of the wrong size is refused without decoding it.
                var (width, height) = ImageHeader.ReadSize(fullPath);
                if (width != image.Width || height != image.Height)
                {
                    fail(MaskPathColumn, $"the mask '{maskPath}' is {width}x{height} but the image is {image.Width}x{image.Height}.");
                    return null;
                }
                mask = ImageCodec.ReadMask(fullPath);
            }
            catch (FileNotFoundException)
            {
                fail(MaskPathColumn, $"the mask file '{maskPath}' does not exist.");
                return null;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                fail(MaskPathColumn, $"the mask file '{maskPath}' could not be read: {ex.Message}");
                return null;
            }
            if (mask.Width != image.Width || mask.Height != image.Height)
            {
                fail(MaskPathColumn, $"the mask '{maskPath}' is {mask.Width}x{mask.Height} but the image is {image.Width}x{image.Height}.");
                return null;
            }
            if (RleCounts.FromMask(mask, limits.MaxRleCounts) is not { } counts)
            {
                fail(MaskPathColumn, $"the mask '{maskPath}' needs more than {limits.MaxRleCounts} run-length counts.");
                return null;
            }
            if (CocoRle.Area(counts) == 0)
            {
                fail(MaskPathColumn, $"the mask '{maskPath}' covers no pixel.");
                return null;
            }
            return CocoRle.EncodeString(counts);
        }

        private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
