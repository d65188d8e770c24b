using Segmentation.Imaging;
using Segmentation.Masks;

namespace Segmentation.Evaluation.Datasets;

/// <summary>
/// One object to segment: an image file and a ground-truth mask that is decoded only when asked for.
/// </summary>
/// <remarks>
/// Listing a dataset only checks names and (for COCO) the annotation structure; files are decoded by
/// <see cref="LoadTruth"/> and <see cref="Load"/>. Both throw <see cref="DatasetItemException"/> (and only
/// that, for problems with the data) when this instance cannot be used: an undecodable or missing image
/// or mask file, a ground truth whose size differs from the image, or a ground truth without object
/// pixels. An evaluation loop catches it per instance, reports <see cref="DatasetItemException.Item"/> and
/// its message, and goes on with the next instance.
/// </remarks>
public sealed class EvaluationInstance
{
    private readonly Func<InstanceTruth> truthLoader;

    /// <param name="id">Unique name of the instance within its dataset.</param>
    /// <param name="imagePath">The image file.</param>
    /// <param name="truthSource">Where the ground truth comes from (a mask file, an annotation), for messages.</param>
    /// <param name="category">Category name, when the dataset has one.</param>
    /// <param name="truthLoader">Decodes the ground truth; may throw I/O, format or argument exceptions, which are wrapped.</param>
    public EvaluationInstance(string id, string imagePath, string truthSource, string? category, Func<InstanceTruth> truthLoader)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        ArgumentException.ThrowIfNullOrEmpty(truthSource);
        ArgumentNullException.ThrowIfNull(truthLoader);
        Id = id;
        ImagePath = imagePath;
        TruthSource = truthSource;
        Category = category;
        this.truthLoader = truthLoader;
    }

    /// <summary>Unique name within the dataset: the base name for paired folders, <c>{file}#{annotation id}</c> for COCO.</summary>
    public string Id { get; }

    public string ImagePath { get; }

    /// <summary>The mask file or annotation the ground truth is read from.</summary>
    public string TruthSource { get; }

    public string? Category { get; }

    /// <summary>
    /// Decodes the ground truth and checks it against the size of the image file (read from its header only).
    /// </summary>
    /// <exception cref="DatasetItemException">The truth or the image header cannot be read, the sizes differ, or the mask is empty.</exception>
    public InstanceTruth LoadTruth()
    {
        var (imageWidth, imageHeight) = Guard(() => ImageHeader.ReadSize(ImagePath), $"image {ImagePath} could not be read");
        var truth = Guard(truthLoader, $"ground truth {TruthSource} could not be read");
        RequireSameSize(truth, imageWidth, imageHeight);
        if (truth.Mask.IsEmpty)
            throw new DatasetItemException(Id, $"{Id}: ground truth {TruthSource} has no object pixels.");
        return truth;
    }

    /// <summary>Decodes the image and the ground truth.</summary>
    /// <exception cref="DatasetItemException">Either cannot be read, the sizes differ, or the mask is empty.</exception>
    public LoadedInstance Load()
    {
        var image = Guard(() => ImageCodec.ReadImage(ImagePath), $"image {ImagePath} could not be read");
        var truth = LoadTruth();
        RequireSameSize(truth, image.Width, image.Height);
        return new LoadedInstance(this, image, truth);
    }

    public override string ToString() => Id;

    private void RequireSameSize(InstanceTruth truth, int imageWidth, int imageHeight)
    {
        if (truth.Mask.Width != imageWidth || truth.Mask.Height != imageHeight)
            throw new DatasetItemException(Id,
                $"{Id}: ground truth {TruthSource} is {truth.Mask.Width}x{truth.Mask.Height} " +
                $"but image {ImagePath} is {imageWidth}x{imageHeight} (width x height).");
    }

    private T Guard<T>(Func<T> load, string what)
    {
        try
        {
            return load();
        }
        catch (DatasetItemException)
        {
            throw;
        }
        catch (Exception ex) when (IsDataError(ex))
        {
            throw new DatasetItemException(Id, $"{Id}: {what}: {ex.Message}", ex);
        }
    }

    /// <summary>Exceptions that mean "this file or annotation is bad", as opposed to bugs or resource exhaustion.</summary>
    internal static bool IsDataError(Exception ex) =>
        ex is IOException or InvalidDataException or FormatException or ArgumentException or UnauthorizedAccessException;
}

/// <summary>
/// Ground truth of one instance. <see cref="Ignore"/> marks pixels that count neither as object nor as
/// background (a void band, COCO crowd regions); it never overlaps <see cref="Mask"/>.
/// </summary>
public sealed class InstanceTruth
{
    public InstanceTruth(BinaryMask mask, BinaryMask? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (ignore is not null)
        {
            mask.RequireSameSize(ignore);
            for (var i = 0; i < mask.Data.Length; i++)
                if ((mask.Data[i] & ignore.Data[i]) != 0)
                    throw new ArgumentException($"The ignore region overlaps the object at pixel ({i % mask.Width}, {i / mask.Width}).", nameof(ignore));
        }
        Mask = mask;
        Ignore = ignore;
    }

    public BinaryMask Mask { get; }

    /// <summary>Pixels excluded from scoring, or null when there are none.</summary>
    public BinaryMask? Ignore { get; }
}

/// <summary>An instance with its decoded image and ground truth (same size).</summary>
public sealed record LoadedInstance(EvaluationInstance Instance, RgbImage Image, InstanceTruth Truth);

/// <summary>A dataset entry that was reported by name and skipped.</summary>
/// <param name="Item">The file name (paired folders) or <c>annotation {id}</c> / <c>image {id}</c> (COCO).</param>
public sealed record DatasetProblem(string Item, string Message)
{
    public override string ToString() => $"{Item}: {Message}";
}

/// <summary>The usable instances of a dataset, sorted by ordinal <see cref="EvaluationInstance.Id"/>, and what was skipped.</summary>
public sealed record LoadedDataset(IReadOnlyList<EvaluationInstance> Instances, IReadOnlyList<DatasetProblem> Problems);

/// <summary>
/// One dataset instance cannot be used (its image or ground truth is missing, undecodable, of the wrong
/// size or empty). Thrown only by <see cref="EvaluationInstance.LoadTruth"/> and <see cref="EvaluationInstance.Load"/>;
/// the caller reports <see cref="Item"/> with the message and skips the instance.
/// </summary>
public sealed class DatasetItemException : Exception
{
    public DatasetItemException(string item, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Item = item;
    }

    /// <summary>The <see cref="EvaluationInstance.Id"/> of the instance.</summary>
    public string Item { get; }
}
