using Segmentation.Imaging;
using Segmentation.Masks;

namespace Segmentation.Models;

/// <summary>
/// "Image + box + clicks (+ previous state) -> mask". One instance serves many images and many
/// threads; per-image work (such as a SAM image embedding) lives in the <see cref="IPreparedImage"/>.
/// </summary>
public interface ISegmentationModel : IDisposable
{
    string Name { get; }

    /// <summary>Wraps an image for repeated predictions; expensive per-image work is done at most once, lazily.</summary>
    IPreparedImage Prepare(RgbImage image);

    MaskPrediction Predict(IPreparedImage image, SegmentationPrompt prompt);

    /// <summary>
    /// Does ahead of time the per-image work a later <see cref="Predict"/> with this prompt (plus clicks near the
    /// object) will need, such as encoding the image region the model will look at, so that call is fast.
    /// Returns the milliseconds spent; models without such work do nothing.
    /// </summary>
    double Warm(IPreparedImage image, SegmentationPrompt prompt) => 0;
}

/// <summary>An image made ready for a model; holds caches such as image embeddings.</summary>
public interface IPreparedImage : IDisposable
{
    RgbImage Image { get; }
}

/// <summary>
/// What the annotator has said about one object so far. <see cref="Box"/> is the object's box
/// (null for click-only protocols); <see cref="Clicks"/> are all clicks of all rounds in order;
/// <see cref="Previous"/> is the state returned with the previous prediction, if any.
/// </summary>
public sealed record SegmentationPrompt(BoxF? Box, IReadOnlyList<Click> Clicks, PredictionState? Previous = null)
{
    public static SegmentationPrompt FromBox(BoxF box) => new(box, Array.Empty<Click>());
}

/// <summary>Model-specific state carried from one prediction to the next (for example SAM's low-resolution logits).</summary>
public abstract record PredictionState;

/// <summary>
/// Wall-clock milliseconds of one model call, split into the ONNX runs and the project's own work.
/// <see cref="DecoderRuns"/> counts the decoder (or single-model) runs the call made. The project's own
/// work is split into <see cref="EncoderPreprocessMs"/> (building an image encoder's input, only in calls
/// that encode) and <see cref="OverheadMs"/> (everything else: prompt tensors, mask post-processing).
/// </summary>
public sealed record ModelCallTiming(double EncoderMs, double DecoderMs, double OverheadMs, int DecoderRuns = 1)
{
    public double EncoderPreprocessMs { get; init; }

    public double TotalMs => EncoderPreprocessMs + EncoderMs + DecoderMs + OverheadMs;
}

public sealed record MaskPrediction(BinaryMask Mask, PredictionState? State, ModelCallTiming Timing, double? ModelScore = null);
