using Segmentation.Imaging;
using Segmentation.Masks;

namespace Segmentation.Evaluation.Datasets;

/// <summary>
/// A folder of images and a folder of masks paired by base name (<c>img/cat.jpg</c> with <c>gt/cat.png</c>),
/// one object per mask.
/// </summary>
/// <remarks>
/// <para>
/// Files with the extensions .jpg, .jpeg, .png, .bmp and .webp (any case) are considered in both folders
/// (not in sub-folders); other files are ignored. Base names are compared ordinally (case-sensitively).
/// An image without a mask, a mask without an image and a base name with several images (or several masks,
/// unless exactly one of them is a .png, which is then used) are reported as problems by file name and
/// skipped.
/// </para>
/// <para>
/// Any non-zero mask pixel is the object (colour masks: the largest channel, see
/// <see cref="ImageCodec.ReadMaskValues"/>). With an ignore value, pixels equal to it are neither object
/// nor background but the ignore band of <see cref="InstanceTruth"/>. Files are decoded only by
/// <see cref="EvaluationInstance.LoadTruth"/> / <see cref="EvaluationInstance.Load"/>, which throw
/// <see cref="DatasetItemException"/> for undecodable files, a mask whose size differs from its image, or
/// a mask without object pixels.
/// </para>
/// </remarks>
public static class PairedFolderDataset
{
    /// <summary>Extensions of image and mask files, lower case, with the dot.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp"];

    /// <param name="imagesDir">Folder of images.</param>
    /// <param name="masksDir">Folder of masks, a different folder.</param>
    /// <param name="ignoreValue">Mask value (1..255) of the ignore band, e.g. 128; null for none.</param>
    /// <exception cref="DirectoryNotFoundException">A folder does not exist.</exception>
    /// <exception cref="ArgumentException">Both folders are the same, or the ignore value is outside 1..255.</exception>
    public static LoadedDataset Load(string imagesDir, string masksDir, int? ignoreValue = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesDir);
        ArgumentException.ThrowIfNullOrEmpty(masksDir);
        if (ignoreValue is not null and not (>= 1 and <= 255))
            throw new ArgumentOutOfRangeException(nameof(ignoreValue), $"The ignore value must be in 1..255 (0 is background), got {ignoreValue}.");
        if (!Directory.Exists(imagesDir)) throw new DirectoryNotFoundException($"Image folder not found: {imagesDir}");
        if (!Directory.Exists(masksDir)) throw new DirectoryNotFoundException($"Mask folder not found: {masksDir}");
        if (string.Equals(Path.GetFullPath(imagesDir).TrimEnd(Path.DirectorySeparatorChar),
                Path.GetFullPath(masksDir).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
            throw new ArgumentException($"Images and masks must be in different folders, both are {imagesDir}.", nameof(masksDir));

        var problems = new List<DatasetProblem>();
        var images = ListByBaseName(imagesDir);
        var masks = ListByBaseName(masksDir);
        var instances = new List<EvaluationInstance>();

        foreach (var (name, imageFiles) in images)
        {
            var image = Single(imageFiles, "image", problems);
            if (image is null) continue;
            if (!masks.TryGetValue(name, out var maskFiles))
            {
                problems.Add(new DatasetProblem(image, $"image has no mask named {name}.* in {masksDir}."));
                continue;
            }
            var mask = Single(maskFiles, "mask", problems);
            if (mask is null) continue;

            var imagePath = Path.Combine(imagesDir, image);
            var maskPath = Path.Combine(masksDir, mask);
            instances.Add(new EvaluationInstance(name, imagePath, maskPath, category: null,
                () => ReadTruth(maskPath, ignoreValue)));
        }
        foreach (var (name, maskFiles) in masks)
        {
            if (images.ContainsKey(name)) continue;
            foreach (var mask in maskFiles)
                problems.Add(new DatasetProblem(mask, $"mask has no image named {name}.* in {imagesDir}."));
        }

        problems.Sort((a, b) => string.CompareOrdinal(a.Item, b.Item));
        return new LoadedDataset(instances, problems); // already in ordinal name order (sorted dictionary)
    }

    /// <summary>Decodes a mask file: non-zero is object, <paramref name="ignoreValue"/> is the ignore band.</summary>
    public static InstanceTruth ReadTruth(string maskPath, int? ignoreValue = null)
    {
        var (width, height, values) = ImageCodec.ReadMaskValues(maskPath);
        var mask = new BinaryMask(width, height);
        BinaryMask? ignore = null;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (v == 0) continue;
            if (v == ignoreValue)
            {
                ignore ??= new BinaryMask(width, height);
                ignore.Data[i] = 1;
            }
            else
            {
                mask.Data[i] = 1;
            }
        }
        return new InstanceTruth(mask, ignore);
    }

    private static SortedDictionary<string, List<string>> ListByBaseName(string dir)
    {
        var byName = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(dir))
        {
            var file = Path.GetFileName(path);
            if (!IsImageFile(file)) continue;
            var name = Path.GetFileNameWithoutExtension(file);
            if (name.Length == 0) continue; // ".png" alone
            if (!byName.TryGetValue(name, out var files)) byName[name] = files = [];
            files.Add(file);
        }
        foreach (var files in byName.Values) files.Sort(StringComparer.Ordinal);
        return byName;
    }

    private static bool IsImageFile(string file)
    {
        var extension = Path.GetExtension(file);
        foreach (var e in Extensions)
            if (string.Equals(extension, e, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The one file of a base name (preferring a lone .png among several masks), or null after reporting the ambiguity.</summary>
    private static string? Single(List<string> files, string kind, List<DatasetProblem> problems)
    {
        if (files.Count == 1) return files[0];
        if (kind == "mask")
        {
            var png = files.Where(f => string.Equals(Path.GetExtension(f), ".png", StringComparison.OrdinalIgnoreCase)).ToList();
            if (png.Count == 1) return png[0];
        }
        foreach (var file in files)
            problems.Add(new DatasetProblem(file, $"several {kind} files share the name: {string.Join(", ", files)}."));
        return null;
    }
}
