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

    /// <summary>The embedding of the frame, and the encoder's times if this call computed it (else zeros).</summary>
    internal (float[] Embedding, EncoderTiming Timing) GetOrEncode(PixelRect frame, Func<PixelRect, (float[] Embedding, EncoderTiming Timing)> encode)
    {
        Lazy<float[]> lazy;
        var timing = default(EncoderTiming);
        lock (gate)
        {
            if (!embeddings.TryGetValue(frame, out lazy!))
            {
                lazy = new Lazy<float[]>(() =>
                {
                    var (embedding, t) = encode(frame);
                    timing = t;
                    return embedding;
                }, LazyThreadSafetyMode.ExecutionAndPublication);
                embeddings[frame] = lazy;
            }
        }
        try
        {
            return (lazy.Value, timing);
        }
        catch
        {
            // A failed encoding (for example a transient ONNX Runtime error) must not stay cached.
            lock (gate)
            {
                if (embeddings.TryGetValue(frame, out var cached) && ReferenceEquals(cached, lazy))
                    embeddings.Remove(frame);
            }
            throw;
        }
    }

    public void Dispose()
    {
        lock (gate) embeddings.Clear();
    }
}

/// <summary>Milliseconds of one encoding: building the input tensor, and the ONNX run.</summary>
internal readonly record struct EncoderTiming(double PreprocessMs, double RunMs);
