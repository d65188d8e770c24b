using Segmentation.Interchange;
using System.Globalization;
using System.Text.Json;
using Segmentation.Masks;

namespace Segmentation.Evaluation.Datasets;

/// <summary>
/// A COCO instance-segmentation file (<c>images</c>, <c>annotations</c>, optional <c>categories</c>) with
/// its image folder; every non-crowd annotation with a segmentation is one instance.
/// </summary>
/// <remarks>
/// <para>
/// Instance ids are <c>{file_name without extension}#{annotation id}</c> (a folder inside <c>file_name</c>
/// is kept), images are <c>imagesDir/file_name</c>, and the category is the name from <c>categories</c>
/// (null when the annotation has no <c>category_id</c> or it is not listed).
/// </para>
/// <para>
/// Segmentations may be polygons <c>[[x1, y1, x2, y2, ...], ...]</c> (rasterised and united with
/// <see cref="CocoPolygon"/>, as pycocotools does), uncompressed RLE <c>{"counts": [..], "size": [h, w]}</c>
/// or compressed RLE <c>{"counts": "..", "size": [h, w]}</c> (<see cref="CocoRle"/>). The structure of each
/// annotation is checked when the file is loaded, the masks are only rasterised by
/// <see cref="EvaluationInstance.LoadTruth"/>.
/// </para>
/// <para>
/// Crowd annotations (<c>iscrowd</c> 1) are not instances. As in the COCO evaluation, where crowd regions
/// are ignored rather than counted as background, the union of the crowd regions of an image becomes the
/// <see cref="InstanceTruth.Ignore"/> mask of each instance on that image, minus the instance's own pixels.
/// </para>
/// <para>
/// Reported as problems and skipped, named <c>annotation {id}</c> (or <c>annotations[{index}]</c> without
/// a usable id): entries that are not objects or lack an integer id, duplicate ids, references to an image
/// id that is not listed (or whose entry is invalid), annotations without a segmentation, malformed
/// polygons (odd length, fewer than three points, non-numbers) or RLE (bad counts, counts not covering the
/// size), an RLE size different from the image entry's height and width, image files that do not exist,
/// and non-crowd segmentations covering no pixel. Invalid image entries (no integer id, no file name, no
/// positive width and height) and duplicate image ids are reported as <c>image {id}</c> / <c>images[{index}]</c>.
/// A problem with a crowd annotation drops only that crowd region. Whether the image file's real size
/// matches its entry is checked when loading (<see cref="DatasetItemException"/>).
/// </para>
/// </remarks>
public static class CocoDataset
{
    /// <exception cref="FileNotFoundException">The JSON file does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">The image folder does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not valid JSON (the message names the file, line and byte position) or not a COCO
    /// object with <c>images</c> and <c>annotations</c> arrays.
    /// </exception>
    public static LoadedDataset Load(string cocoJsonPath, string imagesDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(cocoJsonPath);
        ArgumentException.ThrowIfNullOrEmpty(imagesDir);
        if (!File.Exists(cocoJsonPath)) throw new FileNotFoundException($"COCO file not found: {cocoJsonPath}", cocoJsonPath);
        if (!Directory.Exists(imagesDir)) throw new DirectoryNotFoundException($"Image folder not found: {imagesDir}");

        using var document = Parse(cocoJsonPath);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{cocoJsonPath}: a COCO file must be a JSON object, found {JsonValues.Describe(root.ValueKind)}.");
        var imagesArray = RequireArray(root, "images", cocoJsonPath);
        var annotationsArray = RequireArray(root, "annotations", cocoJsonPath);
        var categoriesArray = root.TryGetProperty("categories", out var c) && c.ValueKind != JsonValueKind.Null
            ? c.ValueKind == JsonValueKind.Array
                ? c
                : throw new InvalidDataException($"{cocoJsonPath}: \"categories\" must be an array, found {JsonValues.Describe(c.ValueKind)}.")
            : default(JsonElement?);

        var problems = new List<DatasetProblem>();
        var images = ReadImages(imagesArray, imagesDir, problems);
        var categories = categoriesArray is { } array ? ReadCategories(array) : [];
        var annotations = ReadAnnotations(annotationsArray, images, problems);

        var crowdsByImage = annotations.Where(a => a.IsCrowd)
            .GroupBy(a => a.Image.Id)
            .ToDictionary(g => g.Key, g => g.Select(a => a.Segmentation).ToArray());
        var instances = new List<EvaluationInstance>();
        foreach (var annotation in annotations)
        {
            if (annotation.IsCrowd) continue;
            var image = annotation.Image;
            var crowds = crowdsByImage.GetValueOrDefault(image.Id, []);
            var category = annotation.CategoryId is { } categoryId ? categories.GetValueOrDefault(categoryId) : null;
            var segmentation = annotation.Segmentation;
            instances.Add(new EvaluationInstance(
                $"{WithoutExtension(image.FileName)}#{annotation.Id.ToString(CultureInfo.InvariantCulture)}",
                image.Path,
                $"annotation {annotation.Id.ToString(CultureInfo.InvariantCulture)} in {cocoJsonPath}",
                category,
                () => Truth(segmentation, crowds, image.Height, image.Width)));
        }
        instances.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return new LoadedDataset(instances, problems);
    }

    private static InstanceTruth Truth(CocoSegmentation segmentation, CocoSegmentation[] crowds, int height, int width)
    {
        var mask = segmentation.ToMask(height, width);
        if (crowds.Length == 0) return new InstanceTruth(mask);
        var ignore = new BinaryMask(width, height);
        foreach (var crowd in crowds)
        {
            var region = crowd.ToMask(height, width).Data;
            for (var i = 0; i < region.Length; i++) ignore.Data[i] |= region[i];
        }
        ignore = ignore.AndNot(mask);
        return new InstanceTruth(mask, ignore.IsEmpty ? null : ignore);
    }

    private static JsonDocument Parse(string path)
    {
        using var stream = File.OpenRead(path);
        return Interchange.JsonValues.ParseDocument(() => JsonDocument.Parse(stream), path);
    }

    private static JsonElement RequireArray(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var value))
            throw new InvalidDataException($"{path}: not a COCO instances file: there is no \"{name}\" array.");
        if (value.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: \"{name}\" must be an array, found {JsonValues.Describe(value.ValueKind)}.");
        return value;
    }

    private sealed record ImageEntry(long Id, string FileName, int Width, int Height, string Path, bool FileExists);

    /// <summary>Image entries by id; null marks an id whose entry is invalid (already reported).</summary>
    private static Dictionary<long, ImageEntry?> ReadImages(JsonElement array, string imagesDir, List<DatasetProblem> problems)
    {
        var images = new Dictionary<long, ImageEntry?>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var item = $"images[{index++}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new DatasetProblem(item, $"image entry is {JsonValues.Describe(element.ValueKind)}, not an object."));
                continue;
            }
            if (!TryGetInt64(element, "id", out var id))
            {
                problems.Add(new DatasetProblem(item, "image entry has no integer \"id\"."));
                continue;
            }
            item = $"image {id.ToString(CultureInfo.InvariantCulture)}";
            if (images.ContainsKey(id))
            {
                problems.Add(new DatasetProblem(item, $"duplicate image id (entry {index - 1}); the first entry is used."));
                continue;
            }
            string? error = null;
            var fileName = element.TryGetProperty("file_name", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            if (string.IsNullOrEmpty(fileName)) error = "image entry has no \"file_name\".";
            else if (!TryGetInt32(element, "width", out var width) || width <= 0
                     || !TryGetInt32(element, "height", out var height) || height <= 0)
                error = $"image entry for {fileName} has no positive integer \"width\" and \"height\".";
            else
            {
                var path = Path.Combine(imagesDir, fileName);
                images[id] = new ImageEntry(id, fileName, width, height, path, File.Exists(path));
                continue;
            }
            problems.Add(new DatasetProblem(item, error));
            images[id] = null;
        }
        return images;
    }

    private static Dictionary<long, string> ReadCategories(JsonElement array)
    {
        var categories = new Dictionary<long, string>();
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object || !TryGetInt64(element, "id", out var id)) continue;
            if (element.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                categories.TryAdd(id, name.GetString()!);
        }
        return categories;
    }

    private sealed record Annotation(long Id, ImageEntry Image, long? CategoryId, bool IsCrowd, CocoSegmentation Segmentation);

    private static List<Annotation> ReadAnnotations(JsonElement array, Dictionary<long, ImageEntry?> images, List<DatasetProblem> problems)
    {
        var annotations = new List<Annotation>();
        var seen = new HashSet<long>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var item = $"annotations[{index++}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new DatasetProblem(item, $"annotation is {JsonValues.Describe(element.ValueKind)}, not an object."));
                continue;
            }
            if (!TryGetInt64(element, "id", out var id))
            {
                problems.Add(new DatasetProblem(item, "annotation has no integer \"id\"."));
                continue;
            }
            item = $"annotation {id.ToString(CultureInfo.InvariantCulture)}";
            if (!seen.Add(id))
            {
                problems.Add(new DatasetProblem(item, $"duplicate annotation id (entry {index - 1}); the first one is used."));
                continue;
            }
            var error = ReadAnnotation(element, id, images, out var annotation);
            if (error is not null) problems.Add(new DatasetProblem(item, error));
            else annotations.Add(annotation!);
        }
        return annotations;
    }

    /// <summary>Parses one annotation; returns the reason it is unusable, or null.</summary>
    private static string? ReadAnnotation(JsonElement element, long id, Dictionary<long, ImageEntry?> images, out Annotation? annotation)
    {
        annotation = null;
        if (!TryGetInt64(element, "image_id", out var imageId)) return "annotation has no integer \"image_id\".";
        if (!images.TryGetValue(imageId, out var image))
            return $"references image id {imageId.ToString(CultureInfo.InvariantCulture)}, which is not in \"images\".";
        if (image is null)
            return $"references image id {imageId.ToString(CultureInfo.InvariantCulture)}, whose entry in \"images\" is invalid.";

        var isCrowd = false;
        if (element.TryGetProperty("iscrowd", out var crowd))
        {
            switch (crowd.ValueKind)
            {
                case JsonValueKind.True: isCrowd = true; break;
                case JsonValueKind.False or JsonValueKind.Null: break;
                case JsonValueKind.Number when crowd.TryGetInt32(out var flag) && flag is 0 or 1: isCrowd = flag == 1; break;
                default: return $"\"iscrowd\" must be 0 or 1, found {crowd.GetRawText()}.";
            }
        }
        long? categoryId = TryGetInt64(element, "category_id", out var category) ? category : null;

        if (!element.TryGetProperty("segmentation", out var segmentationElement) || segmentationElement.ValueKind == JsonValueKind.Null)
            return "annotation has no segmentation.";
        var error = CocoSegmentation.TryParse(segmentationElement, image.Height, image.Width, out var segmentation);
        if (error is not null) return error;
        if (!image.FileExists) return $"image file {image.Path} (image id {imageId.ToString(CultureInfo.InvariantCulture)}) not found.";
        if (!isCrowd && segmentation!.IsEmpty(image.Height, image.Width)) return "segmentation covers no pixels.";

        annotation = new Annotation(id, image, categoryId, isCrowd, segmentation!);
        return null;
    }

    private static bool TryGetInt64(JsonElement element, string name, out long value)
    {
        value = 0;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number && property.TryGetInt64(out value);
    }

    private static bool TryGetInt32(JsonElement element, string name, out int value)
    {
        value = 0;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number && property.TryGetInt32(out value);
    }

    private static string WithoutExtension(string fileName) =>
        fileName[..^Path.GetExtension(fileName).Length];
}
