using System.Collections.Concurrent;
using Segmentation.Imaging;
using Segmentation.Models;

namespace Grains.Inference;

/// <summary>One decoded image prepared for one model, with its embeddings and each instance's round state.</summary>
public sealed class ResidentImage : IDisposable
{
    public ResidentImage(string file, IPreparedImage prepared)
    {
        File = file;
        Prepared = prepared;
    }

    public string File { get; }

    public IPreparedImage Prepared { get; }

    public RoundStateCache States { get; } = new();

    public void Dispose()
    {
        States.Clear();
        Prepared.Dispose();
    }
}

/// <summary>
/// The images held in this silo's memory, keyed by image grain key and model. An <see cref="ImageGrain"/> activation
/// owns its entries and removes them when it deactivates; the inference grain, which always runs in the caller's
/// silo, finds them here.
/// </summary>
public sealed class ResidentImages
{
    readonly ConcurrentDictionary<(string ImageKey, string Model), Lazy<ResidentImage>> entries = new();

    public int Count => entries.Count;

    public ResidentImage GetOrLoad(string imageKey, string file, ISegmentationModel model)
    {
        var key = (imageKey, model.Name);
        var lazy = entries.GetOrAdd(key, _ => new Lazy<ResidentImage>(
            () => new ResidentImage(file, model.Prepare(ImageCodec.ReadImage(file))), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            var image = lazy.Value;
            if (image.File != file)
                throw new InvalidOperationException($"Image {imageKey} is held for file {image.File}, asked for {file}.");
            return image;
        }
        catch
        {
            entries.TryRemove(new KeyValuePair<(string, string), Lazy<ResidentImage>>(key, lazy));
            throw;
        }
    }

    /// <summary>Frees every model's copy of the image.</summary>
    public void Evict(string imageKey)
    {
        foreach (var key in entries.Keys.Where(k => k.ImageKey == imageKey).ToArray())
            if (entries.TryRemove(key, out var lazy) && lazy.IsValueCreated)
                lazy.Value.Dispose();
    }
}
