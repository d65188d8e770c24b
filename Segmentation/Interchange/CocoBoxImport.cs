using System.Globalization;
using System.Text.Json;
using Segmentation.Masks;
using static Segmentation.Interchange.JsonValues;

namespace Segmentation.Interchange;

/// <summary>
/// Reads object boxes (and optional ground-truth masks) from a COCO instances file, for importing into an
/// annotation campaign. Every entry of <c>annotations</c> is one row; usable rows and the problems of the
/// others are returned together.
/// </summary>
/// <remarks>
/// <para>
/// The file must be a JSON object with <c>images</c> (<c>id</c>, <c>file_name</c>, <c>width</c>, <c>height</c>),
/// <c>categories</c> (<c>id</c>, <c>name</c>) and <c>annotations</c> arrays; anything else is a structural
/// error (<see cref="InvalidDataException"/>). Image and category ids may be integers or strings (5 and "5"
/// are the same id). Image and category entries that are not objects or have no id are ignored.
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
/// entries that are not objects; an id that is missing, not an integer or string, not a valid instance id
/// (empty, '/', control characters, over 200 characters) or already used by an earlier annotation (the
/// first annotation keeps it even if it is rejected for another reason); an unknown or ambiguous (listed
/// twice) image or category id, or a category without a name; <c>iscrowd</c> 1 (a crowd region is not an
/// instance) or a value other than 0/1; a <c>bbox</c> that is not four finite numbers, has a width or height
/// of 0 or less, or reaches more than 1 px outside the image (boxes within that tolerance are clamped into
/// the image); a segmentation that cannot be decoded, whose RLE size differs from the image, or that covers
/// no pixel; an image whose <c>file_name</c> is not a safe relative path (rooted, backslashes, empty,
/// '.' or '..' parts) or that has no positive integer width and height; and, when <c>imageExists</c> is
/// given, an image file it reports missing (asked once per image).
/// </para>
/// </remarks>
public static class CocoBoxImport
{
    /// <summary>Largest distance in pixels a box may reach outside the image before it is rejected rather than clamped.</summary>
    public const double BoxTolerance = 1.0;

    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>Parses a COCO instances file held in memory (UTF-8, with or without a byte-order mark).</summary>
    /// <param name="json">The file's bytes.</param>
    /// <param name="imageExists">Optional check of an image's relative <c>file_name</c>; false rejects its rows.</param>
    /// <exception cref="InvalidDataException">The bytes are not JSON or not a COCO object with <c>images</c>, <c>categories</c> and <c>annotations</c> arrays.</exception>
    public static ImportParseResult Parse(ReadOnlyMemory<byte> json, Func<string, bool>? imageExists = null)
    {
        if (json.Span.StartsWith(Utf8ByteOrderMark)) json = json[Utf8ByteOrderMark.Length..];
        using var document = ParseDocument(() => JsonDocument.Parse(json), "The COCO file");
        return Parse(document.RootElement, imageExists);
    }

    /// <summary>Parses a COCO instances file from a stream (UTF-8), reading it to the end.</summary>
    /// <inheritdoc cref="Parse(ReadOnlyMemory{byte}, Func{string, bool}?)"/>
    public static ImportParseResult Parse(Stream json, Func<string, bool>? imageExists = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = ParseDocument(() => JsonDocument.Parse(json), "The COCO file");
        return Parse(document.RootElement, imageExists);
    }

    private static ImportParseResult Parse(JsonElement root, Func<string, bool>? imageExists)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"The COCO file must hold a JSON object, found {Describe(root.ValueKind)}.");
        var images = ReadImages(RequireArray(root, "images"));
        var categories = ReadCategories(RequireArray(root, "categories"));
        var annotations = RequireArray(root, "annotations");

        var rows = new List<ImportRow>();
        var errors = new List<ImportRowError>();
        var firstRowOfId = new Dictionary<string, int>(StringComparer.Ordinal);
        var row = 0;
        foreach (var element in annotations.EnumerateArray())
        {
            row++;
            var reader = new AnnotationReader(row, images, categories, firstRowOfId, imageExists);
            var result = reader.Read(element);
            if (reader.Errors.Count > 0) errors.AddRange(reader.Errors);
            else rows.Add(result!);
        }
        return new ImportParseResult(rows, errors, row);
    }

    private static JsonElement RequireArray(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
            throw new InvalidDataException($"The COCO file has no \"{name}\" array; it is not a COCO instances file.");
        if (value.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"The COCO file's \"{name}\" must be an array, found {Describe(value.ValueKind)}.");
        return value;
    }

    /// <summary>An entry of <c>images</c>; <see cref="Problem"/> is set when rows on it must be rejected.</summary>
    private sealed class ImageEntry(string id, string? fileName, int width, int height, (string Field, string Message)? problem)
    {
        public string Id { get; } = id;
        public string? FileName { get; } = fileName;
        public int Width { get; } = width;
        public int Height { get; } = height;
        public (string Field, string Message)? Problem { get; set; } = problem;
        public bool? Exists { get; set; }
    }

    private static Dictionary<string, ImageEntry> ReadImages(JsonElement array)
    {
        var images = new Dictionary<string, ImageEntry>(StringComparer.Ordinal);
        foreach (var element in array.EnumerateArray())
        {
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
            images[id] = new ImageEntry(id, fileName, width, height, problem);
        }
        return images;
    }

    /// <summary>Category names by id; null marks an id listed twice or without a usable name.</summary>
    private static Dictionary<string, string?> ReadCategories(JsonElement array)
    {
        var categories = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("id", out var idElement) || IdText(idElement) is not { } id)
                continue;
            var name = element.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            if (name is not null && InterchangeNames.ClassNameProblem(name) is not null) name = null;
            categories[id] = categories.ContainsKey(id) ? null : name;
        }
        return categories;
    }

    /// <summary>Reads one annotation, collecting every problem it has.</summary>
    private sealed class AnnotationReader(
        int row,
        Dictionary<string, ImageEntry> images,
        Dictionary<string, string?> categories,
        Dictionary<string, int> firstRowOfId,
        Func<string, bool>? imageExists)
    {
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
            if (image is not null && imageExists is not null)
            {
                image.Exists ??= imageExists(image.FileName!);
                if (image.Exists == false) Fail("file_name", $"image file '{image.FileName}' (image {image.Id}) does not exist.");
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
            if (!firstRowOfId.TryAdd(id, row))
            {
                Fail("id", $"annotation id {id} is already used by row {firstRowOfId[id]}.");
                return null;
            }
            return id;
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
            int height = image.Height, width = image.Width;
            if ((long)height * width > uint.MaxValue)
            {
                Fail("segmentation", $"the {width}x{height} image is too large for COCO masks.");
                return null;
            }

            var problem = CocoSegmentation.TryParse(value, height, width, out var segmentation);
            var mask = segmentation?.ToMask(height, width);
            if (problem is null && mask!.IsEmpty) problem = "the segmentation covers no pixel of the image.";
            if (problem is not null)
            {
                Fail("segmentation", problem);
                return null;
            }
            return CocoRle.Encode(mask!);
        }
    }
}
