using Segmentation.Imaging;
using Segmentation.Masks;

namespace Segmentation.Models.Sam;

/// <summary>
/// One image with its SAM embeddings, keyed by the frame (whole image or zoom crop) they were computed
/// on, so every later prompt on the same image and frame reuses them.
/// </summary>
public sealed class SamPreparedImage : IPreparedImage
{
    private readonly Dictionary<PixelRect, Lazy<float[]>> embeddings = new();
    private readonly object gate = new();

    public SamPreparedImage(RgbImage image) => Image = image;

    public RgbImage Image { get; }

    public int CachedEmbeddings
    {
        get { lock (gate) return embeddings.Count; }
    }

    /// <summary>The embedding of the frame, and the encoder time if this call computed it (else 0).</summary>
    internal (float[] Embedding, double EncoderMs) GetOrEncode(PixelRect frame, Func<PixelRect, (float[] Embedding, double EncoderMs)> encode)
    {
        Lazy<float[]> lazy;
        var encoderMs = 0.0;
        lock (gate)
        {
            if (!embeddings.TryGetValue(frame, out lazy!))
            {
                lazy = new Lazy<float[]>(() =>
                {
                    var (embedding, ms) = encode(frame);
                    encoderMs = ms;
                    return embedding;
                }, LazyThreadSafetyMode.ExecutionAndPublication);
                embeddings[frame] = lazy;
            }
        }
        return (lazy.Value, encoderMs);
    }

    public void Dispose()
    {
        lock (gate) embeddings.Clear();
    }
}
