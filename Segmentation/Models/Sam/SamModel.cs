using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Models.Onnx;

namespace Segmentation.Models.Sam;

/// <summary>
/// A SAM-family prompt model: an image encoder (image -> embedding) and a prompt decoder
/// (embedding + points + optional mask prompt -> mask logits), in the standard SAM ONNX contract.
/// The box goes in as its two corners (labels 2 and 3), clicks as labelled points (1 foreground,
/// 0 background).
/// </summary>
public sealed class SamModel : ISegmentationModel
{
    private readonly InferenceSession encoder;
    private readonly InferenceSession decoder;
    private readonly string encoderInputName;
    private readonly string encoderOutputName;
    private readonly long[] embeddingShape;

    public SamModel(SamModelPaths paths, SamOptions? options = null, string name = "sam")
    {
        Options = options ?? new SamOptions();
        Name = name;
        encoder = OnnxSessionFactory.Create(paths.EncoderPath, name, intraOpThreads: Options.IntraOpThreads).Session;
        try
        {
            decoder = OnnxSessionFactory.Create(paths.DecoderPath, name, intraOpThreads: Options.IntraOpThreads).Session;
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
        try
        {
            (encoderInputName, encoderOutputName) = ValidateContract(paths);
            embeddingShape = decoder.InputMetadata["image_embeddings"].Dimensions.Select(d => (long)d).ToArray();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }
    public SamOptions Options { get; }

    public IPreparedImage Prepare(RgbImage image) => new SamPreparedImage(image);

    public MaskPrediction Predict(IPreparedImage image, SegmentationPrompt prompt)
    {
        if (image is not SamPreparedImage prepared)
            throw new ArgumentException($"The image was prepared by another model than {Name}.", nameof(image));
        var total = Stopwatch.StartNew();
        var img = prepared.Image;
        var previous = prompt.Previous as SamState;

        var frame = ChooseFrame(img, prompt, previous);
        var (embedding, encoderTiming) = prepared.GetOrEncode(frame, f => Encode(img, f));

        var lowResInput = new float[Options.LowResMaskSize * Options.LowResMaskSize];
        var hasMask = 0f;
        if (Options.Feedback == MaskFeedback.PreviousLogits && previous is not null)
        {
            if (previous.Frame == frame)
                Array.Copy(previous.LowResLogits, lowResInput, lowResInput.Length);
            else
                SamLogits.Resample(previous.LowResLogits, previous.Frame, lowResInput, frame, Options.EncoderInputSize);
            hasMask = 1f;
        }

        // SAM is trained adding one point at a time with its own logits fed back; several new clicks at once
        // are given to it in that same way, one decoder call per click, when feedback is on.
        var seen = previous?.ClicksSeen ?? 0;
        var decoderMs = 0.0;
        var decoderRuns = 1;
        if (Options.Feedback == MaskFeedback.PreviousLogits && Options.OneClickAtATime && seen < prompt.Clicks.Count - 1)
        {
            for (var k = Math.Max(seen + 1, 1); k < prompt.Clicks.Count; k++)
            {
                var partial = prompt with { Clicks = prompt.Clicks.Take(k).ToArray() };
                var step = Decode(embedding, BuildPoints(partial, frame), lowResInput, hasMask, frame, withMask: false);
                lowResInput = step.LowRes;
                hasMask = 1f;
                decoderMs += step.DecoderMs;
                decoderRuns++;
            }
        }

        var points = BuildPoints(prompt, frame);
        var best = Decode(embedding, points, lowResInput, hasMask, frame, withMask: true);
        decoderMs += best.DecoderMs;
        if (hasMask > 0 && prompt.Clicks.Count > 0 && (Options.ChooseByClickConsistency || best.Score < Options.RetryBelowScore))
        {
            // SAM sometimes collapses when fed its own logits (its predicted IoU then drops). A second answer
            // without the mask prompt is computed; the one agreeing with more clicks wins, on ties the one SAM
            // scores higher.
            var fresh = Decode(embedding, points, new float[lowResInput.Length], 0f, frame, withMask: true);
            decoderMs += fresh.DecoderMs;
            decoderRuns++;
            var bestViolations = ClickViolations(best.MaskLogits!, frame, prompt.Clicks);
            var freshViolations = ClickViolations(fresh.MaskLogits!, frame, prompt.Clicks);
            if (freshViolations < bestViolations || (freshViolations == bestViolations && fresh.Score > best.Score))
                best = fresh;
        }
        var (maskLogits, lowRes, score, _) = best;
        var (mask, extent) = PasteFrame(maskLogits!, frame, img.Width, img.Height);
        if (Options.MergeWhenUnsure && previous?.Mask is { } previousMask && seen < prompt.Clicks.Count
            && score < Options.RetryBelowScore && previous.Score >= Options.RetryBelowScore)
        {
            // SAM rates its new answer poor where it rated the previous one good: apply the change only
            // where the new clicks ask for it, and carry that mask on as the next mask prompt.
            mask = ProgressiveMerge.Apply(previousMask, mask, prompt.Clicks.Skip(seen));
            lowRes = SamLogits.FromMask(mask, frame, Options.LowResMaskSize, Options.EncoderInputSize);
            score = previous.Score;
            extent = mask.BoundingBox()?.ToBox();
        }
        var state = new SamState(frame, lowRes) { ObjectExtent = extent ?? prompt.Box, ClicksSeen = prompt.Clicks.Count, Mask = mask, Score = score };
        total.Stop();
        var overhead = Math.Max(0, total.Elapsed.TotalMilliseconds - encoderTiming.PreprocessMs - encoderTiming.RunMs - decoderMs);
        return new MaskPrediction(mask, state, new ModelCallTiming(encoderTiming.RunMs, decoderMs, overhead, decoderRuns) { EncoderPreprocessMs = encoderTiming.PreprocessMs }, score);
    }

    public double Warm(IPreparedImage image, SegmentationPrompt prompt)
    {
        if (image is not SamPreparedImage prepared)
            throw new ArgumentException($"The image was prepared by another model than {Name}.", nameof(image));
        var frame = ChooseFrame(prepared.Image, prompt, prompt.Previous as SamState);
        var (_, timing) = prepared.GetOrEncode(frame, f => Encode(prepared.Image, f));
        return timing.PreprocessMs + timing.RunMs;
    }

    /// <summary>The image region the model looks at: the whole image, or a zoom crop around the object.</summary>
    internal PixelRect ChooseFrame(RgbImage image, SegmentationPrompt prompt, SamState? previous)
    {
        var whole = new PixelRect(0, 0, image.Width, image.Height);
        if (!Options.ZoomIn) return whole;

        // The zoom frame is fixed by the first prediction's extent and kept while it still covers the object,
        // so the embedding is computed once per object and the logits stay comparable.
        BoxF? extent = prompt.Box;
        if (previous is not null && previous.ObjectExtent is { } known)
            extent = extent is { } b ? Union(b, known) : known;
        if (previous is null && (prompt.Box is null || !Options.ZoomOnBox)) return whole;
        if (extent is null) return whole;
        foreach (var click in prompt.Clicks)
            extent = Union(extent.Value, new BoxF(click.X - 1, click.Y - 1, click.X + 1, click.Y + 1));

        if (previous is not null && previous.Frame != whole && Covers(previous.Frame, extent.Value, image.Width, image.Height, margin: 4))
            return previous.Frame;

        var e = extent.Value;
        var side = Math.Max(Options.ZoomMinSide, e.LongerSide * Options.ZoomExpansion);
        if (side > Options.ZoomMaxFraction * Math.Max(image.Width, image.Height)) return whole;
        var w = Math.Min(image.Width, (int)Math.Ceiling(Math.Max(side, e.Width * Options.ZoomExpansion)));
        var h = Math.Min(image.Height, (int)Math.Ceiling(Math.Max(side, e.Height * Options.ZoomExpansion)));
        // Keep the crop square where the image allows: SAM's encoder sees a square input.
        w = Math.Min(image.Width, Math.Max(w, h));
        h = Math.Min(image.Height, Math.Max(h, w));
        var x0 = (int)Math.Round(e.CenterX - w / 2.0);
        var y0 = (int)Math.Round(e.CenterY - h / 2.0);
        x0 = Math.Clamp(x0, 0, image.Width - w);
        y0 = Math.Clamp(y0, 0, image.Height - h);
        return new PixelRect(x0, y0, w, h);
    }

    private static BoxF Union(BoxF a, BoxF b) =>
        new(Math.Min(a.X0, b.X0), Math.Min(a.Y0, b.Y0), Math.Max(a.X1, b.X1), Math.Max(a.Y1, b.Y1));

    /// <summary>Whether the box lies inside the frame with a margin, except on sides where the frame meets the image edge.</summary>
    private static bool Covers(PixelRect frame, BoxF box, int imageWidth, int imageHeight, double margin) =>
        (box.X0 >= frame.X + margin || frame.X == 0)
        && (box.Y0 >= frame.Y + margin || frame.Y == 0)
        && (box.X1 <= frame.Right - margin || frame.Right == imageWidth)
        && (box.Y1 <= frame.Bottom - margin || frame.Bottom == imageHeight);

    private (float[] Embedding, EncoderTiming Timing) Encode(RgbImage image, PixelRect frame)
    {
        var prep = Stopwatch.StartNew();
        var input = SamPreprocessing.EncoderInput(image, frame, Options.EncoderInputSize, Options.PixelMean, Options.PixelStd);
        prep.Stop();
        var size = Options.EncoderInputSize;
        var watch = Stopwatch.StartNew();
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [1, 3, size, size]);
        using var runOptions = new RunOptions();
        using var outputs = encoder.Run(runOptions, [encoderInputName], [inputValue], [encoderOutputName]);
        var embedding = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        watch.Stop();
        return (embedding, new EncoderTiming(prep.Elapsed.TotalMilliseconds, watch.Elapsed.TotalMilliseconds));
    }

    private (float[] Points, float[] Labels) BuildPoints(SegmentationPrompt prompt, PixelRect frame)
    {
        var scale = (double)Options.EncoderInputSize / Math.Max(frame.Width, frame.Height);
        var coords = new List<float>();
        var labels = new List<float>();
        void Add(double x, double y, float label)
        {
            coords.Add((float)((x - frame.X) * scale));
            coords.Add((float)((y - frame.Y) * scale));
            labels.Add(label);
        }
        foreach (var click in prompt.Clicks)
            Add(click.X, click.Y, click.IsForeground ? 1f : 0f);
        if (prompt.Box is { } box)
        {
            Add(box.X0, box.Y0, 2f);
            Add(box.X1, box.Y1, 3f);
        }
        else
        {
            // The SAM contract expects a padding point when there is no box.
            coords.Add(0f);
            coords.Add(0f);
            labels.Add(-1f);
        }
        return (coords.ToArray(), labels.ToArray());
    }

    private (float[]? MaskLogits, float[] LowRes, double Score, double DecoderMs) Decode(
        float[] embedding, (float[] Points, float[] Labels) points, float[] lowResInput, float hasMask, PixelRect frame, bool withMask)
    {
        var n = points.Labels.Length;
        var lowSize = Options.LowResMaskSize;
        using var embeddingValue = OrtValue.CreateTensorValueFromMemory(embedding, embeddingShape);
        using var coordsValue = OrtValue.CreateTensorValueFromMemory(points.Points, [1, n, 2]);
        using var labelsValue = OrtValue.CreateTensorValueFromMemory(points.Labels, [1, n]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(lowResInput, [1, 1, lowSize, lowSize]);
        using var hasMaskValue = OrtValue.CreateTensorValueFromMemory(new[] { hasMask }, [1]);
        using var sizeValue = OrtValue.CreateTensorValueFromMemory(new float[] { frame.Height, frame.Width }, [2]);
        using var runOptions = new RunOptions();

        var watch = Stopwatch.StartNew();
        using var outputs = decoder.Run(
            runOptions,
            ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"],
            [embeddingValue, coordsValue, labelsValue, maskValue, hasMaskValue, sizeValue],
            ["masks", "iou_predictions", "low_res_masks"]);
        watch.Stop();

        var masksShape = outputs[0].GetTensorTypeAndShape().Shape;
        if (masksShape.Length != 4 || masksShape[2] != frame.Height || masksShape[3] != frame.Width)
            throw new InvalidDataException($"{Name} decoder returned masks of shape [{string.Join(",", masksShape)}], expected [1,1,{frame.Height},{frame.Width}].");
        var maskLogits = withMask ? outputs[0].GetTensorDataAsSpan<float>()[..(frame.Width * frame.Height)].ToArray() : null;
        var score = outputs[1].GetTensorDataAsSpan<float>()[0];
        var lowRes = outputs[2].GetTensorDataAsSpan<float>()[..(lowSize * lowSize)].ToArray();
        return (maskLogits, lowRes, score, watch.Elapsed.TotalMilliseconds);
    }

    /// <summary>Foreground clicks outside the mask plus background clicks inside it.</summary>
    private static int ClickViolations(float[] frameLogits, PixelRect frame, IReadOnlyList<Click> clicks)
    {
        var violations = 0;
        foreach (var click in clicks)
        {
            var x = click.PixelX - frame.X;
            var y = click.PixelY - frame.Y;
            if (x < 0 || y < 0 || x >= frame.Width || y >= frame.Height)
            {
                if (click.IsForeground) violations++;
                continue;
            }
            var inside = frameLogits[y * frame.Width + x] > 0f;
            if (inside != click.IsForeground) violations++;
        }
        return violations;
    }

    /// <summary>The frame's mask in image coordinates, and its bounding box (null when empty), in one pass.</summary>
    private static (BinaryMask Mask, BoxF? Extent) PasteFrame(float[] logits, PixelRect frame, int width, int height)
    {
        var mask = new BinaryMask(width, height);
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (var y = 0; y < frame.Height; y++)
        {
            var src = y * frame.Width;
            var dst = (frame.Y + y) * width + frame.X;
            for (var x = 0; x < frame.Width; x++)
            {
                if (logits[src + x] <= 0f) continue;
                mask.Data[dst + x] = 1;
                if (x < minX) minX = x;
                if (x > maxX) maxX = x;
                if (y < minY) minY = y;
                maxY = y;
            }
        }
        BoxF? extent = maxX < 0 ? null : new BoxF(frame.X + minX, frame.Y + minY, frame.X + maxX + 1, frame.Y + maxY + 1);
        return (mask, extent);
    }

    private (string Input, string Output) ValidateContract(SamModelPaths paths)
    {
        var size = Options.EncoderInputSize;
        if (encoder.InputMetadata.Count != 1 || encoder.OutputMetadata.Count < 1)
            throw new InvalidDataException(
                $"{Name} encoder '{paths.EncoderPath}' has inputs [{string.Join(", ", encoder.InputMetadata.Keys)}]; a SAM encoder has one image input [1,3,{size},{size}].");
        var (inputName, input) = encoder.InputMetadata.Single();
        var dims = input.Dimensions;
        if (dims.Length != 4 || dims[1] != 3 || dims[2] != size || dims[3] != size)
            throw new InvalidDataException(
                $"{Name} encoder input '{inputName}' has shape [{string.Join(",", dims)}], expected [1,3,{size},{size}].");
        string[] required = ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"];
        var missing = required.Where(r => !decoder.InputMetadata.ContainsKey(r)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{Name} decoder '{paths.DecoderPath}' lacks the SAM inputs {string.Join(", ", missing)}.");
        string[] outputsRequired = ["masks", "iou_predictions", "low_res_masks"];
        var missingOut = outputsRequired.Where(r => !decoder.OutputMetadata.ContainsKey(r)).ToArray();
        if (missingOut.Length > 0)
            throw new InvalidDataException($"{Name} decoder '{paths.DecoderPath}' lacks the SAM outputs {string.Join(", ", missingOut)}.");
        var low = decoder.InputMetadata["mask_input"].Dimensions;
        if (low.Length != 4 || low[2] != Options.LowResMaskSize || low[3] != Options.LowResMaskSize)
            throw new InvalidDataException(
                $"{Name} decoder mask_input has shape [{string.Join(",", low)}], expected [1,1,{Options.LowResMaskSize},{Options.LowResMaskSize}].");
        return (inputName, encoder.OutputMetadata.Keys.First());
    }

    public void Dispose()
    {
        encoder.Dispose();
        decoder.Dispose();
    }
}

/// <summary>SAM state: the frame the logits were computed in, the logits, and the object's extent.</summary>
public sealed record SamState(PixelRect Frame, float[] LowResLogits) : PredictionState
{
    public BoxF? ObjectExtent { get; init; }

    /// <summary>How many of the prompt's clicks these logits already include.</summary>
    public int ClicksSeen { get; init; }

    /// <summary>The mask this state belongs to, in image coordinates.</summary>
    public BinaryMask? Mask { get; init; }

    /// <summary>SAM's predicted IoU of <see cref="Mask"/>.</summary>
    public double Score { get; init; }
}
