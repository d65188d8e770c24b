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
    /// When an answer to new clicks contradicts one of the clicks given so far, or keeps less than
    /// <see cref="CollapseIoU"/> of the previous mask, the other ways of asking the weights (without the mask
    /// prompt, clicks together or one at a time, the previous frame, the whole image) compete; the answer
    /// contradicting fewest clicks, then not collapsing, then scored highest by the model is kept.
    /// </summary>
    public bool GuardClicks { get; init; }

    /// <summary>An answer whose IoU with the previous mask is below this counts as a collapse (0: never).</summary>
    public double CollapseIoU { get; init; } = 0.5;

    /// <summary>Boundary refinement of every returned mask at full resolution (<see cref="EdgeRefinement"/>); null: none.</summary>
    public EdgeRefinementOptions? Refinement { get; init; }

    /// <summary>Refinement only where one low-resolution logit cell covers at least this many image pixels (finer frames gain nothing).</summary>
    public double RefineFromCellSize { get; init; } = 1.5;

    /// <summary>
    /// The decoder computes four masks and keeps one by a fixed rule; with this on, all four are returned and, when the
    /// kept one contradicts a click, the one contradicting fewest clicks (then scored highest) replaces it.
    /// </summary>
    public bool ChooseAmongMasks { get; init; }

    /// <summary>Without a box, zoom-in waits for this many clicks (the first masks of a few clicks often show only a part of the object); 0: from the first call that knows the object's extent.</summary>
    public int ZoomFromClick { get; init; }

    /// <summary>The zoom crop is the object's extent enlarged by this factor on each side's length.</summary>
    public double ZoomExpansion { get; init; } = 1.4;

    /// <summary>Smallest zoom crop side in image pixels, so tiny objects keep some context.</summary>
    public int ZoomMinSide { get; init; } = 64;

    /// <summary>No zoom when the crop would cover more than this fraction of the image's longer side.</summary>
    public double ZoomMaxFraction { get; init; } = 0.8;

    /// <summary>
    /// A mask the model scored at least this is trusted: an answer to new clicks that keeps less than
    /// <see cref="TrustChangeIoU"/> of it (IoU) while the model's score falls by more than <see cref="TrustScoreDrop"/>
    /// counts as a collapse. The other ways of asking the weights compete, and when all of them collapse,
    /// <see cref="TrustFallback"/> decides what stands. A mask kept this way that ignores a new click is not defended in the
    /// next call against an answer that keeps <see cref="TrustChangeIoU"/> of it and adds to it (<see cref="SamState.DefendedAgainstClicks"/>). Null: every answer is accepted.
    /// </summary>
    public double? TrustAboveScore { get; init; } = 0.7;

    /// <summary>See <see cref="TrustAboveScore"/>.</summary>
    public double TrustChangeIoU { get; init; } = 0.8;

    /// <summary>See <see cref="TrustAboveScore"/>.</summary>
    public double TrustScoreDrop { get; init; } = 0.05;

    /// <summary>What stands when every answer collapses a trusted mask (see <see cref="TrustAboveScore"/>).</summary>
    public TrustFallback TrustFallback { get; init; } = TrustFallback.LocalMerge;

    /// <summary>With <see cref="TrustFallback.LocalMerge"/>: the disc around a click reaches this many times the click's distance to the previous mask's edge.</summary>
    public double LocalMergeDepthFactor { get; init; } = 2;

    /// <summary>With <see cref="TrustFallback.LocalMerge"/>: the disc's smallest radius in image pixels.</summary>
    public double LocalMergeMinRadius { get; init; } = 8;

    /// <summary>
    /// Every returned mask agrees with every click: a click the answer contradicts gets a disc of its label, reaching
    /// to the nearest pixel already on its side, at most this radius in image pixels and short of half-way to the nearest
    /// click of the other label (<see cref="ClickEnforcement"/>, which names the two exceptions). Null: the answer is
    /// returned as the model gave it.
    /// </summary>
    public double? EnforceClicksRadius { get; init; } = 10;

    /// <summary>Threads for each ONNX session (0: ONNX Runtime's default).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// A learned choice among the answers a call with clicks could give (the other ways of asking the weights, each also
    /// applied only near the new clicks, and the previous mask): the answer with the largest estimated gain over the
    /// runner's own stands. Null: the runner's own answer. The caller owns the chooser and disposes of it.
    /// </summary>
    public AnswerChooser? AnswerChooser { get; init; }

    /// <summary>
    /// The plain call of the same weights, the yardstick for every extra: the whole image, the box or clicks in,
    /// the previous low-resolution logits fed back, all clicks in one decoder run, nothing else.
    /// </summary>
    public static SamOptions Plain { get; } = new()
    {
        ZoomIn = false,
        OneClickAtATime = false,
        RetryBelowScore = 0,
        Feedback = MaskFeedback.PreviousLogits,
        ChooseByClickConsistency = false,
        GuardClicks = false,
        ChooseAmongMasks = false,
        TrustAboveScore = null,
        EnforceClicksRadius = null,
        Refinement = null,
    };
}

public enum MaskFeedback
{
    /// <summary>Never feed the previous logits back.</summary>
    None,

    /// <summary>Feed the previous logits back when they were computed in the same image frame.</summary>
    PreviousLogits,
}
