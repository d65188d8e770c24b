namespace Segmentation.Models.Sam;

/// <summary>How a SAM-family model is run.</summary>
public sealed record SamOptions
{
    /// <summary>Side of the square encoder input; the image's longer side is scaled to it.</summary>
    public int EncoderInputSize { get; init; } = 1024;

    /// <summary>Side of the decoder's low-resolution mask (input and output).</summary>
    public int LowResMaskSize { get; init; } = 256;

    /// <summary>Per-channel mean and standard deviation on 0..255 values (ImageNet statistics by default).</summary>
    public float[] PixelMean { get; init; } = [123.675f, 116.28f, 103.53f];
    public float[] PixelStd { get; init; } = [58.395f, 57.12f, 57.375f];

    /// <summary>Whether the previous prediction's low-resolution logits are fed back as the mask prompt.</summary>
    public MaskFeedback Feedback { get; init; } = MaskFeedback.PreviousLogits;

    /// <summary>
    /// Zoom-in: once the object's extent is known (after the first prediction), the image is re-encoded
    /// on a crop around the predicted mask, box and clicks, so small objects get more encoder resolution.
    /// </summary>
    public bool ZoomIn { get; init; } = true;

    /// <summary>Zoom in on the box already for the first (box-only) prediction, rather than on the first mask's extent.</summary>
    public bool ZoomOnBox { get; init; }

    /// <summary>With feedback on, several new clicks are added one decoder call at a time, as SAM is trained.</summary>
    public bool OneClickAtATime { get; init; } = true;

    /// <summary>
    /// With feedback on, always also decode without the mask prompt and keep the answer that agrees with more
    /// clicks (ties: the higher predicted IoU), not only below <see cref="RetryBelowScore"/>.
    /// </summary>
    public bool ChooseByClickConsistency { get; init; }

    /// <summary>
    /// When the answer with fed-back logits has a predicted IoU below this, the decoder is also run without the
    /// mask prompt, and the answer agreeing with more clicks is kept, on ties the one SAM scores higher (0 turns it off).
    /// </summary>
    public double RetryBelowScore { get; init; } = 0.8;

    /// <summary>
    /// When every answer scores below <see cref="RetryBelowScore"/> but the previous mask scored above it,
    /// the new answer is applied only where the new clicks ask for a change (<see cref="ProgressiveMerge"/>).
    /// Off by default: on the development set it did not improve mean IoU or NoC.
    /// </summary>
    public bool MergeWhenUnsure { get; init; }

    /// <summary>The zoom crop is the object's extent enlarged by this factor on each side's length.</summary>
    public double ZoomExpansion { get; init; } = 1.4;

    /// <summary>Smallest zoom crop side in image pixels, so tiny objects keep some context.</summary>
    public int ZoomMinSide { get; init; } = 64;

    /// <summary>No zoom when the crop would cover more than this fraction of the image's longer side.</summary>
    public double ZoomMaxFraction { get; init; } = 0.8;

    /// <summary>Threads for each ONNX session (0: ONNX Runtime's default).</summary>
    public int IntraOpThreads { get; init; }
}

public enum MaskFeedback
{
    /// <summary>Never feed the previous logits back.</summary>
    None,

    /// <summary>Feed the previous logits back when they were computed in the same image frame.</summary>
    PreviousLogits,
}
