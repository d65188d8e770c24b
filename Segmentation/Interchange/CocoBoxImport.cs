using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Segmentation.Evaluation.Datasets;
using Segmentation.Masks;
using static Segmentation.Interchange.JsonValues;

namespace Segmentation.Interchange;

/// <summary>
/// Reads object boxes (and optional ground-truth masks) from a COCO instances file, for importing into an
/// annotation campaign. Every entry of <c>annotations</c> is one row: <see cref="Read"/> yields them one at a time,
/// <see cref="Parse(Stream, Func{string, bool}?)"/> collects them.
/// </summary>
/// <remarks>
/// <para>
/// The file must be a JSON object with <c>images</c> (<c>id</c>, <c>file_name</c>, <c>width</c>, <c>height</c>),
/// <c>categories</c> (<c>id</c>, <c>name</c>) and <c>annotations</c> arrays, in any order; anything else is a
/// structural error (<see cref="InvalidDataException"/>). Image and category ids may be integers or strings (5 and "5"
/// are the same id). Image and category entries that are not objects or have no id are ignored. A key given twice
/// counts with its last value.
/// </para>
/// <para>
/// An annotation gives: <c>id</c> (integer or string; the instance id), <c>image_id</c>, <c>category_id</c>
/// (the class is the category's <c>name</c>), <c>bbox</c> <c>[x, y, w, h]</c> in pixels, optional
/// <c>iscrowd</c> and optional <c>segmentation</c>: polygons <c>[[x1, y1, ...], ...]</c> (rasterised as
/// pycocotools does, see <see cref="CocoPolygon"/>), uncompressed RLE <c>{"size": [h, w], "counts": [..]}</c>
/// or compressed RLE <c>{"size": [h, w], "counts": ".."}</c>. The ground truth is returned as a canonical
/// compressed RLE string. A missing, null or empty-list segmentation means no ground truth.
/// </para>
/// <para>
/// Rejected (each problem is one <see cref="ImportRowError"/>, a row may have several; the field is the
/// annotation property, or <c>file_name</c> / <c>width</c> / <c>height</c> for a problem with the image entry):
/// entries that are not objects, or longer than the limits allow (<c>annotation</c>); an id that is missing, not an
/// integer or string, not a valid instance id (empty, '/', control characters, over 200 characters) or already used
/// by an earlier annotation (the first annotation keeps it even if it is rejected for another reason); an unknown or
/// ambiguous (listed twice) image or category id, or a category without a name; <c>iscrowd</c> 1 (a crowd region is
/// not an instance) or a value other than 0/1; a <c>bbox</c> that is not four finite numbers, has a width or height
/// of 0 or less, or reaches more than 1 px outside the image (boxes within that tolerance are clamped into
/// the image); a segmentation that cannot be decoded, whose RLE size differs from the image, that covers no pixel,
/// or that passes <see cref="ImportLimits.MaxPolygonPoints"/> or <see cref="ImportLimits.MaxRleCounts"/>; an image
/// whose <c>file_name</c> is not a safe relative path (rooted, backslashes, empty, '.' or '..' parts), that has no
/// positive integer width and height, or a size past <see cref="ImportLimits.MaxImageSide"/> or
/// <see cref="ImportLimits.MaxImagePixels"/>; and, when an image check is given, an image file that does not exist,
/// cannot be read, or (with <see cref="Read"/>) whose real size differs from the declared one (asked once per image).
/// </para>
/// </remarks>
public static class CocoBoxImport
{
    /// <summary>Largest distance in pixels a box may reach outside the image before it is rejected rather than clamped.</summary>
    public const double BoxTolerance = 1.0;

    private const string What = "The COCO file";

    /// <summary>Parses a COCO instances file held in memory (UTF-8, with or without a byte-order mark).</summary>
    /// <param name="json">The file's bytes.</param>
    /// <param name="imageExists">Optional check of an image's relative <c>file_name</c>; false rejects its rows.</param>
    /// <remarks>Rows are checked against <see cref="ImportLimits.Default"/>; every row is kept in memory.</remarks>
    /// <exception cref="InvalidDataException">The bytes are not JSON or not a COCO object with <c>images</c>, <c>categories</c> and <c>annotations</c> arrays.</exception>
    public static ImportParseResult Parse(ReadOnlyMemory<byte> json, Func<string, bool>? imageExists = null)
    {
        using var stream = MemoryMarshal.TryGetArray(json, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(json.ToArray(), writable: false);
        return ImportRecord.Collect(ReadCore(stream, 0, ExistenceCheck(imageExists), checkSize: false, ImportLimits.Default));
    }

    /// <summary>Parses a COCO instances file from a stream (UTF-8), reading it to the end.</summary>
    /// <remarks>A stream that cannot seek is first copied to memory; for large files use <see cref="Read"/>.</remarks>
    /// <inheritdoc cref="Parse(ReadOnlyMemory{byte}, Func{string, bool}?)"/>
    public static ImportParseResult Parse(Stream json, Func<string, bool>? imageExists = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.CanSeek)
            return ImportRecord.Collect(ReadCore(json, json.Position, ExistenceCheck(imageExists), checkSize: false, ImportLimits.Default));
        using var copy = new MemoryStream();
        json.CopyTo(copy);
        copy.Position = 0;
        return ImportRecord.Collect(ReadCore(copy, 0, ExistenceCheck(imageExists), checkSize: false, ImportLimits.Default));
    }

    /// <summary>
    /// Reads a COCO instances file one annotation at a time, with memory bounded by one annotation plus the image and
    /// category entries and the ids already used.
    /// </summary>
    /// <param name="json">
    /// The file (UTF-8, with or without a byte-order mark), readable and seekable, positioned at its start. It is read
    /// twice: first whole, for <c>images</c> and <c>categories</c> (which may come after <c>annotations</c>) and to check
    /// the JSON syntax everywhere; then from the start of <c>annotations</c>.
    /// </param>
    /// <param name="resolveImage">
    /// Gives an image's real size from its <c>file_name</c> (see <see cref="FolderResolver"/>), or null when the file
    /// does not exist; only the size of what it returns is used. An <see cref="IOException"/>,
    /// <see cref="InvalidDataException"/> or <see cref="UnauthorizedAccessException"/> it throws rejects the image's rows.
    /// Null means images are not checked.
    /// </param>
    /// <param name="limits">What one row may cost.</param>
    /// <returns>
    /// One record per element of <c>annotations</c>, in file order, made as the caller asks for them. Enumerating again
    /// reads the stream again from where it was when this was called.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="json"/> cannot read or seek.</exception>
    /// <exception cref="InvalidDataException">
    /// Raised by the first <c>MoveNext</c>, before any record: the file is not JSON, or not a COCO object with
    /// <c>images</c>, <c>categories</c> and <c>annotations</c> arrays, or an image or category entry is longer than
    /// the limits allow.
    /// </exception>
    public static IEnumerable<ImportRecord> Read(Stream json, Func<string, ResolvedImage?>? resolveImage, ImportLimits limits)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(limits);
        if (!json.CanRead || !json.CanSeek)
            throw new ArgumentException("The COCO stream must be readable and seekable; spool it to a file first.", nameof(json));
        limits.Check();
        return ReadCore(json, json.Position, resolveImage, checkSize: true, limits);
    }

    /// <summary>
    /// A resolver for <see cref="Read"/> that finds a <c>file_name</c> under <paramref name="imageRoot"/> and reads only
    /// the image header for its size. Names that are not safe relative paths, or that lead outside the root (through
    /// '..' or a symbolic link, the file's or a folder's), are not found. A file that is not a readable image throws
    /// <see cref="InvalidDataException"/>, which the importer reports on the rows of that image. Answers are cached for
    /// the last <paramref name="cacheSize"/> names.
    /// </summary>
    public static Func<string, ResolvedImage?> FolderResolver(string imageRoot, int cacheSize = 4096)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageRoot);
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheSize, 1);
        var root = Path.GetFullPath(imageRoot);
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        var cache = new BoundedCache<string, ResolvedImage?>(cacheSize);
        return fileName =>
        {
            ArgumentNullException.ThrowIfNull(fileName);
            lock (cache) return cache.GetOrAdd(fileName, name => ResolveUnder(prefix, name));
        };
    }

    private static ResolvedImage? ResolveUnder(string prefix, string fileName)
    {
        if (InterchangeNames.RelativePathProblem(fileName) is not null) return null;
        var full = Path.GetFullPath(Path.Combine(prefix, fileName));
        if (!full.StartsWith(prefix, StringComparison.Ordinal) || !File.Exists(full)) return null;
        for (var path = full; path.Length > prefix.Length; path = Path.GetDirectoryName(path)!)
        {
            var target = path == full
                ? File.ResolveLinkTarget(path, returnFinalTarget: true)
                : Directory.ResolveLinkTarget(path, returnFinalTarget: true);
            if (target is not null && !Path.GetFullPath(target.FullName).StartsWith(prefix, StringComparison.Ordinal)) return null;
        }
        var (width, height) = ImageHeader.ReadSize(full);
        return new ResolvedImage(fileName, width, height);
    }

    /// <summary>The existence check of <see cref="Parse(Stream, Func{string, bool}?)"/> as a resolver whose sizes are not compared.</summary>
    private static Func<string, ResolvedImage?>? ExistenceCheck(Func<string, bool>? imageExists) =>
        imageExists is null ? null : file => imageExists(file) ? new ResolvedImage(file, 0, 0) : null;

    /// <summary>The longest annotation (or image or category entry) read whole; longer ones are refused unread.</summary>
    /// <remarks>Room for the longest segmentation the limits accept, even indented, plus the other fields.</remarks>
    internal static int MaxEntryBytes(ImportLimits limits) =>
        (int)Math.Min(1L << 30, (1 << 20) + 32L * limits.MaxRleCounts + 64L * limits.MaxPolygonPoints);

    private static IEnumerable<ImportRecord> ReadCore(
        Stream json, long origin, Func<string, ResolvedImage?>? resolveImage, bool checkSize, ImportLimits limits)
    {
        var maxEntry = MaxEntryBytes(limits);
        json.Position = origin;
        var header = ReadHeader(new JsonStreamReader(json, What, maxEntry + (1 << 16)), maxEntry, limits);

        json.Position = origin + header.AnnotationsStart;
        var reader = new JsonStreamReader(json, What, maxEntry + (1 << 16));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            throw new InvalidDataException($"{What} changed while it was read: \"annotations\" is no longer where it was.");
        var ids = new CompactStringMap();
        var row = 0;
        while (true)
        {
            var element = reader.ReadElement(maxEntry, out var document);
            if (element == JsonStreamReader.Element.End) yield break;
            row++;
            ImportRecord record;
            if (element == JsonStreamReader.Element.TooLarge)
            {
                record = new ImportRecord(row, null,
                    [new ImportRowError(row, "annotation", $"the annotation is longer than {maxEntry} bytes; the limits accept no such segmentation.")]);
            }
            else
            {
                using (document)
                {
                    var annotation = new AnnotationReader(row, header, ids, resolveImage, checkSize, limits);
                    var value = annotation.Read(document!.RootElement);
                    record = new ImportRecord(row, value, annotation.Errors.Count == 0 ? [] : annotation.Errors);
                }
            }
            yield return record;
        }
    }

    /// <summary>What the first pass learns: the image and category entries, and where <c>annotations</c> starts.</summary>
    private sealed record Header(Dictionary<string, ImageEntry> Images, Dictionary<string, string?> Categories, long AnnotationsStart);

    private static Header ReadHeader(JsonStreamReader reader, int maxEntry, ImportLimits limits)
    {
        if (!reader.Read()) throw new InvalidDataException($"{What} is not valid JSON: it is empty.");
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new InvalidDataException($"The COCO file must hold a JSON object, found {Describe(KindOf(reader.TokenType))}.");

        Dictionary<string, ImageEntry>? images = null;
        Dictionary<string, string?>? categories = null;
        long? annotations = null;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0))
        {
            var name = reader.PropertyName!;
            if (!reader.Read()) throw new InvalidDataException($"{What} ends after the key \"{name}\".");
            var isArray = reader.TokenType == JsonTokenType.StartArray;
            if (name is "images" or "categories" or "annotations" && !isArray)
                throw new InvalidDataException($"The COCO file's \"{name}\" must be an array, found {Describe(KindOf(reader.TokenType))}.");
            switch (name)
            {
                case "images":
                    images = ReadImages(reader, maxEntry, limits);
                    break;
                case "categories":
                    categories = ReadCategories(reader, maxEntry);
                    break;
                case "annotations":
                    annotations = reader.TokenStart;
                    reader.SkipContainer();
                    break;
                default:
                    if (isArray || reader.TokenType == JsonTokenType.StartObject) reader.SkipContainer();
                    break;
            }
        }
        // Reading on to the end makes the reader refuse anything after the root object.
        if (reader.Read()) throw new InvalidDataException($"{What} has more than one JSON value.");

        if (images is null) throw NotCoco("images");
        if (categories is null) throw NotCoco("categories");
        if (annotations is null) throw NotCoco("annotations");
        return new Header(images, categories, annotations.Value);
    }

    private static InvalidDataException NotCoco(string name) =>
        new($"The COCO file has no \"{name}\" array; it is not a COCO instances file.");

    /// <summary>An entry of <c>images</c>; <see cref="Problem"/> is set when rows on it must be rejected.</summary>
    private sealed class ImageEntry(string id, string? fileName, int width, int height, (string Field, string Message)? problem)
    {
        public string Id { get; } = id;
        public string? FileName { get; } = fileName;
        public int Width { get; } = width;
        public int Height { get; } = height;
        public (string Field, string Message)? Problem { get; set; } = problem;
        public bool Checked { get; set; }
        public (string Field, string Message)? CheckProblem { get; set; }
    }

    private static Dictionary<string, ImageEntry> ReadImages(JsonStreamReader reader, int maxEntry, ImportLimits limits)
    {
        var images = new Dictionary<string, ImageEntry>(StringComparer.Ordinal);
        while (NextEntry(reader, maxEntry, "images", out var document))
        {
            using (document)
            {
                var element = document.RootElement;
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("id", out var idElement) || IdText(idElement) is not { } id)
                    continue;
                if (images.TryGetValue(id, out var existing))
                {
                    existing.Problem = ("image_id", $"image id {id} is listed more than once in \"images\".");
                    continue;
                }

                var fileName = element.TryGetProperty("file_name", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
                (string, string)? problem = null;
                if (fileName is null)
                    problem = ("file_name", $"image {id} has no \"file_name\" string.");
                else if (InterchangeNames.RelativePathProblem(fileName) is { } pathProblem)
                    problem = ("file_name", $"image {id}: {pathProblem}");

                var width = element.TryGetProperty("width", out var w) && TryGetWholeInt32(w, out var wv) ? wv : 0;
                var height = element.TryGetProperty("height", out var h) && TryGetWholeInt32(h, out var hv) ? hv : 0;
                if (problem is null && width <= 0)
                    problem = ("width", $"image {id} ({fileName}) has no positive integer \"width\".");
                else if (problem is null && height <= 0)
                    problem = ("height", $"image {id} ({fileName}) has no positive integer \"height\".");
                problem ??= limits.SizeProblem(width, height, $"image {id} ({fileName})");
                images[id] = new ImageEntry(id, fileName, width, height, problem);
            }
        }
        return images;
    }

    /// <summary>Category names by id; null marks an id listed twice or without a usable name.</summary>
    private static Dictionary<string, string?> ReadCategories(JsonStreamReader reader, int maxEntry)
    {
        var categories = new Dictionary<string, string?>(StringComparer.Ordinal);
        while (NextEntry(reader, maxEntry, "categories", out var document))
        {
            using (document)
            {
                var element = document.RootElement;
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("id", out var idElement) || IdText(idElement) is not { } id)
                    continue;
                var name = element.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                if (name is not null && InterchangeNames.ClassNameProblem(name) is not null) name = null;
                categories[id] = categories.ContainsKey(id) ? null : name;
            }
        }
        return categories;
    }

    private static bool NextEntry(JsonStreamReader reader, int maxEntry, string array, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JsonDocument? document)
    {
        switch (reader.ReadElement(maxEntry, out document))
        {
            case JsonStreamReader.Element.End:
                return false;
            case JsonStreamReader.Element.TooLarge:
                throw new InvalidDataException($"The COCO file's \"{array}\" has an entry at byte {reader.TokenStart} longer than {maxEntry} bytes.");
            default:
                return document is not null;
        }
    }

    /// <summary>Reads one annotation, collecting every problem it has.</summary>
    private sealed class AnnotationReader(
        int row,
        Header header,
        CompactStringMap firstRowOfId,
        Func<string, ResolvedImage?>? resolveImage,
        bool checkSize,
        ImportLimits limits)
    {
        private readonly Dictionary<string, ImageEntry> images = header.Images;
        private readonly Dictionary<string, string?> categories = header.Categories;

        public List<ImportRowError> Errors { get; } = [];

        private void Fail(string field, string message) => Errors.Add(new ImportRowError(row, field, message));

        public ImportRow? Read(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                Fail("annotation", $"the annotation is {Describe(element.ValueKind)}, not an object.");
                return null;
            }
            var id = ReadId(element);
            var image = ReadImage(element);
            var className = ReadCategory(element);
            ReadCrowd(element);
            var box = ReadBox(element, image);
            var truth = image is null ? null : ReadSegmentation(element, image);
            if (image is not null && resolveImage is not null)
            {
                if (!image.Checked)
                {
                    image.CheckProblem = CheckImage(image);
                    image.Checked = true;
                }
                if (image.CheckProblem is { } problem) Fail(problem.Field, problem.Message);
            }
            if (Errors.Count > 0) return null;
            var b = box!.Value;
            return new ImportRow(row, id!, image!.FileName!, image.Width, image.Height, className!, b.X0, b.Y0, b.X1, b.Y1, truth);
        }

        private string? ReadId(JsonElement element)
        {
            if (!element.TryGetProperty("id", out var value))
            {
                Fail("id", "the annotation has no \"id\".");
                return null;
            }
            if (IdText(value) is not { } id)
            {
                Fail("id", $"the annotation id must be an integer or a non-empty string, found {Show(value)}.");
                return null;
            }
            if (InterchangeNames.InstanceIdProblem(id) is { } problem)
            {
                Fail("id", problem);
                return null;
            }
            if (!firstRowOfId.TryAdd(id, row, out var firstRow))
            {
                Fail("id", $"annotation id {id} is already used by row {firstRow}.");
                return null;
            }
            return id;
        }

        private (string Field, string Message)? CheckImage(ImageEntry image)
        {
            ResolvedImage? resolved;
            try
            {
                resolved = resolveImage!(image.FileName!);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                return ("file_name", $"image file '{image.FileName}' (image {image.Id}) could not be read: {ex.Message}");
            }
            if (resolved is null) return ("file_name", $"image file '{image.FileName}' (image {image.Id}) does not exist.");
            if (checkSize && (resolved.Width != image.Width || resolved.Height != image.Height))
                return (resolved.Width != image.Width ? "width" : "height",
                    $"image {image.Id} ({image.FileName}) is declared {image.Width}x{image.Height} but the file is {resolved.Width}x{resolved.Height}.");
            return null;
        }

        private ImageEntry? ReadImage(JsonElement element)
        {
            if (!element.TryGetProperty("image_id", out var value) || IdText(value) is not { } imageId)
            {
                Fail("image_id", "the annotation has no integer or string \"image_id\".");
                return null;
            }
            if (!images.TryGetValue(imageId, out var image))
            {
                Fail("image_id", $"image id {imageId} is not listed in \"images\".");
                return null;
            }
            if (image.Problem is { } problem)
            {
                Fail(problem.Field, problem.Message);
                return null;
            }
            return image;
        }

        private string? ReadCategory(JsonElement element)
        {
            if (!element.TryGetProperty("category_id", out var value) || IdText(value) is not { } categoryId)
            {
                Fail("category_id", "the annotation has no integer or string \"category_id\".");
                return null;
            }
            if (!categories.TryGetValue(categoryId, out var name))
            {
                Fail("category_id", $"category id {categoryId} is not listed in \"categories\".");
                return null;
            }
            if (name is null)
            {
                Fail("category_id", $"category id {categoryId} is listed more than once or has no usable \"name\".");
                return null;
            }
            return name;
        }

        private void ReadCrowd(JsonElement element)
        {
            if (!element.TryGetProperty("iscrowd", out var value)) return;
            switch (value.ValueKind)
            {
                case JsonValueKind.Null or JsonValueKind.False:
                    return;
                case JsonValueKind.Number when value.TryGetInt32(out var flag) && flag == 0:
                    return;
                case JsonValueKind.True:
                case JsonValueKind.Number when value.TryGetInt32(out var flag) && flag == 1:
                    Fail("iscrowd", "iscrowd is 1: a crowd region is not an instance.");
                    return;
                default:
                    Fail("iscrowd", $"iscrowd must be 0 or 1, found {Show(value)}.");
                    return;
            }
        }

        private BoxF? ReadBox(JsonElement element, ImageEntry? image)
        {
            if (!element.TryGetProperty("bbox", out var value))
            {
                Fail("bbox", "the annotation has no \"bbox\".");
                return null;
            }
            if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 4)
            {
                Fail("bbox", $"bbox must be an array of four numbers [x, y, width, height], found {Show(value)}.");
                return null;
            }
            Span<double> xywh = stackalloc double[4];
            for (var i = 0; i < 4; i++)
            {
                if (!TryGetFinite(value[i], out xywh[i]))
                {
                    Fail("bbox", $"bbox value {i} is not a finite number ({Show(value[i])}).");
                    return null;
                }
            }
            double x = xywh[0], y = xywh[1], w = xywh[2], h = xywh[3];
            if (w <= 0 || h <= 0)
            {
                Fail("bbox", $"bbox width and height must be positive, found {Show(value)}.");
                return null;
            }
            if (image is null) return null;

            var box = new BoxF(x, y, x + w, y + h);
            if (box.X0 < -BoxTolerance || box.Y0 < -BoxTolerance
                || box.X1 > image.Width + BoxTolerance || box.Y1 > image.Height + BoxTolerance)
            {
                Fail("bbox", $"bbox {Show(value)} reaches more than {BoxTolerance.ToString(CultureInfo.InvariantCulture)} px outside the {image.Width}x{image.Height} image.");
                return null;
            }
            var clamped = box.ClampTo(image.Width, image.Height);
            if (clamped.Width <= 0 || clamped.Height <= 0)
            {
                Fail("bbox", $"bbox {Show(value)} has no area inside the {image.Width}x{image.Height} image.");
                return null;
            }
            return clamped;
        }

        private string? ReadSegmentation(JsonElement element, ImageEntry image)
        {
            if (!element.TryGetProperty("segmentation", out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0) return null;
            if (CocoGroundTruth.Read(value, image.Height, image.Width, limits, out var rle) is { } problem)
            {
                Fail("segmentation", problem);
                return null;
            }
            return rle;
        }
    }
}
