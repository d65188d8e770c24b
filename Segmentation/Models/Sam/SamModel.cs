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
public sealed class SamModel : IJudgedChoiceModel
{
    private readonly InferenceSession encoder;
    private readonly InferenceSession decoder;
    private readonly string encoderInputName;
    private readonly string encoderOutputName;
    private readonly long[] embeddingShape;
    private readonly bool allMasks;

    public SamModel(SamModelPaths paths, SamOptions? options = null, string name = "sam")
    {
        Options = options ?? new SamOptions();
        Name = name;
        encoder = OnnxSessionFactory.Create(paths.EncoderPath, name, intraOpThreads: Options.IntraOpThreads).Session;
        try
        {
            (decoder, allMasks) = OpenDecoder(paths.DecoderPath, name);
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

    public MaskPrediction Predict(IPreparedImage image, SegmentationPrompt prompt) => Predict(image, prompt, judging: null);

    public JudgedPrediction PredictJudged(IPreparedImage image, SegmentationPrompt prompt, Func<BinaryMask, double> judge, JudgedChoice choice)
    {
        ArgumentNullException.ThrowIfNull(judge);
        if (Options.Refinement is not null)
            throw new InvalidOperationException($"{Name} refines the mask after the choice, so a judge would not see the masks shown: judge without refinement.");
        var judging = new Judging(judge, choice);
        var prediction = Predict(image, prompt, judging);
        return new JudgedPrediction(prediction, judging.Pick) { Options = judging.Options };
    }

    private MaskPrediction Predict(IPreparedImage image, SegmentationPrompt prompt, Judging? judging)
    {
        if (image is not SamPreparedImage prepared)
            throw new ArgumentException($"The image was prepared by another model than {Name}.", nameof(image));
        var total = Stopwatch.StartNew();
        var img = prepared.Image;
        var previous = prompt.Previous as SamState;
        var work = new CallWork();

        var frame = ChooseFrame(img, prompt, previous);
        var feedback = Options.Feedback == MaskFeedback.PreviousLogits;
        var seen = previous?.ClicksSeen ?? 0;
        var tried = new Dictionary<AskedAs, Candidate>();
        // A way of asking the weights not tried yet in this call (null when it was).
        Candidate? Ask(PixelRect f, bool withFeedback, bool oneAtATime)
        {
            var asked = Asked(f, withFeedback, oneAtATime);
            return tried.ContainsKey(asked) ? null : Fetch(asked);
        }
        // The answer of a way of asking, computed once per call.
        Candidate Fetch(AskedAs asked)
        {
            if (tried.TryGetValue(asked, out var known)) return known;
            var candidate = Answer(prepared, asked, prompt, previous, work);
            candidate = candidate with { Way = asked };
            if (Options.GuardClicks) candidate = candidate with { Collapsed = Collapsed(candidate, previous) };
            tried[asked] = candidate;
            return candidate;
        }
        AskedAs Asked(PixelRect f, bool withFeedback, bool oneAtATime)
        {
            var chain = withFeedback && oneAtATime && seen < prompt.Clicks.Count - 1;
            return new AskedAs(f, withFeedback && (previous is not null || chain), chain);
        }

        // The other ways of asking the same weights, in the order they are tried when an answer is in doubt.
        (PixelRect Frame, bool Feedback, bool OneAtATime)[] OtherWays(SamState? prior) =>
        [
            (frame, false, false),
            (frame, feedback, !Options.OneClickAtATime),
            (prior?.Frame ?? frame, feedback, Options.OneClickAtATime),
            (new PixelRect(0, 0, img.Width, img.Height), feedback, false),
        ];

        var best = Ask(frame, feedback, Options.OneClickAtATime)!;
        var hasClicks = prompt.Clicks.Count > 0;
        if (feedback && hasClicks && (Options.ChooseByClickConsistency || (Options.RetryBelowScore > 0 && best.Score < Options.RetryBelowScore)))
        {
            // SAM sometimes collapses when fed its own logits (its predicted IoU then drops): an answer without
            // the mask prompt is computed too.
            best = Better(best, Ask(frame, false, false));
        }
        if (Options.GuardClicks && hasClicks && previous is { } prior && Suspect(best))
        {
            // The answer contradicts a click or throws the previous mask away: the other ways of asking the same
            // weights compete, and the one agreeing best with all clicks and the previous mask is kept.
            foreach (var (f, withFeedback, oneAtATime) in OtherWays(prior))
            {
                best = Better(best, Ask(f, withFeedback, oneAtATime));
                if (!Suspect(best)) break;
            }
        }

        var localOnly = false;
        var keepTrusted = false;
        var defended = false;
        if (Options.TrustAboveScore is { } trust && hasClicks && seen < prompt.Clicks.Count
            && previous is { Mask: { } trustedMask } trusted && trusted.Score >= trust)
        {
            // The model was sure of the previous mask, so the new clicks correct details; an answer that throws much of that
            // mask away while the model's own estimate falls is a collapse. The other ways of asking compete; when all of them
            // collapse, the previous mask stands, changed at most near the new clicks. A mask this defence kept although it
            // ignores a new click is defended again only against answers that lose it, not against answers that keep it and
            // add to it: otherwise a part the model took for the object would stand click after click.
            bool Breaks(Candidate c)
            {
                if (c.Score >= trusted.Score - Options.TrustScoreDrop) return false;
                var overlap = FrameOverlap(c.MaskLogits, c.Frame, trustedMask);
                if (IoU(overlap) >= Options.TrustChangeIoU) return false;
                return !(trusted.DefendedAgainstClicks && overlap.Inter >= Options.TrustChangeIoU * overlap.MaskArea);
            }
            if (Breaks(best))
            {
                defended = true;
                Candidate? kept = null;
                foreach (var (f, withFeedback, oneAtATime) in OtherWays(trusted))
                {
                    if (Ask(f, withFeedback, oneAtATime) is not { } c || Breaks(c)) continue;
                    kept = c;
                    break;
                }
                if (kept is null && Options.TrustFallback == TrustFallback.LocalMerge)
                    localOnly = true;
                else if (kept is null && judging is null && Options.AnswerChooser is null)
                {
                    return Result(trustedMask.Clone(), trusted with { ClicksSeen = prompt.Clicks.Count }, trusted.Score);
                }
                else if (kept is null)
                    keepTrusted = true;
                best = kept ?? best;
            }
        }

        if ((judging is not null || Options.AnswerChooser is not null) && hasClicks && previous?.Mask is { } earlierMask)
        {
            // The answers this call could give compete, each as it would be shown (with its click discs): in an evaluation's
            // yardstick the truth chooses, in a run with a learned chooser its estimate of the gain over the runner's own
            // answer does. The runner's own answer wins ties.
            var newClicks = prompt.Clicks.Skip(seen).ToArray();
            var whole = new PixelRect(0, 0, img.Width, img.Height);
            BinaryMask Shown(Candidate c) => PasteFrame(c.MaskLogits, c.Frame, img.Width, img.Height).Mask;
            BinaryMask NearClicks(BinaryMask answer) =>
                LocalMerge.Apply(earlierMask, answer, newClicks, Options.LocalMergeDepthFactor, Options.LocalMergeMinRadius);
            double Judge(BinaryMask m) =>
                judging!.Judge(Options.EnforceClicksRadius is { } r ? ClickEnforcement.Apply(m, prompt.Clicks, r).Mask : m);
            int FrameKind(PixelRect f) => f == frame ? 0 : f == whole ? 2 : 1;

            var own = keepTrusted ? earlierMask : localOnly ? NearClicks(Shown(best)) : Shown(best);
            var ownScore = keepTrusted ? previous.Score : best.Score;
            // Every way of asking, as the model answered it and applied only near the new clicks, unless only the previous
            // mask may replace the own answer.
            var answers = new List<(Candidate Candidate, string Way, int FrameKind, AskedAs Asked)>();
            if (judging?.Choice != JudgedChoice.AcceptOrKeep)
            {
                foreach (var (f, withFeedback, oneAtATime) in OtherWays(previous).Prepend((frame, feedback, Options.OneClickAtATime)))
                {
                    var asked = Asked(f, withFeedback, oneAtATime);
                    answers.Add((Fetch(asked), WayName(f == frame ? "frame" : f == whole ? "whole image" : "previous frame", asked), FrameKind(f), asked));
                }
            }
            // The masks compared, by index: the own answer, the previous mask, then each answer as given and near the clicks.
            // An answer's agreement is with the own answer, the previous mask and the answers as given; each overlap is
            // computed once.
            var masks = new List<BinaryMask> { own, earlierMask };
            foreach (var (c, _, _, _) in answers)
            {
                var shown = Shown(c);
                masks.Add(shown);
                masks.Add(NearClicks(shown));
            }
            var areas = masks.Select(m => m.Area()).ToArray();
            var agreeing = Enumerable.Range(0, masks.Count).Where(i => i < 2 || i % 2 == 0).ToArray();
            var overlaps = new Dictionary<(int, int), double>();
            double Overlap(int i, int j)
            {
                var key = i < j ? (i, j) : (j, i);
                if (!overlaps.TryGetValue(key, out var iou)) overlaps[key] = iou = MaskMetrics.IoU(masks[i], masks[j]);
                return iou;
            }
            double Consensus(int i) => agreeing.Where(j => j != i).Select(j => Overlap(i, j)).DefaultIfEmpty(0).Average();
            var (ownArea, previousArea) = (Math.Max(1, areas[0]), Math.Max(1, areas[1]));
            var ownViolations = ClickAgreement.Violations(own, prompt.Clicks);
            var ownCandidate = keepTrusted ? null : best;
            var ownStability = ownCandidate is null ? -1 : Stability(ownCandidate.MaskLogits);
            var ownFeatures = new AnswerFeatures
            {
                FrameKind = keepTrusted ? 3 : FrameKind(best.Frame),
                Feedback = !keepTrusted && best.Way.Feedback,
                OneClickARun = !keepTrusted && best.Way.OneAtATime,
                NearTheClicks = localOnly,
                PreviousMask = keepTrusted,
                Score = ownScore,
                OwnScore = ownScore,
                PreviousScore = previous.Score,
                IoUWithOwn = 1,
                IoUWithPrevious = Overlap(0, 1),
                OwnIoUWithPrevious = Overlap(0, 1),
                AreaToPrevious = (double)ownArea / previousArea,
                AreaToOwn = 1,
                PreviousAreaToImage = (double)previousArea / ((long)img.Width * img.Height),
                Violations = ownViolations,
                NewViolations = ClickAgreement.Violations(own, newClicks),
                OwnViolations = ownViolations,
                Clicks = prompt.Clicks.Count,
                NewClicks = newClicks.Length,
                NewForeground = newClicks.Count(c => c.IsForeground),
                HasBox = prompt.Box is not null,
                Trusted = Options.TrustAboveScore is { } trustAbove && previous.Score >= trustAbove,
                GuardActed = defended,
                Stability = ownStability,
                Consensus = Consensus(0),
                OwnStability = ownStability,
            };
            ownFeatures = ownFeatures with { OwnConsensus = ownFeatures.Consensus };
            AnswerFeatures FeaturesOf(int i, double score, double stability, int frameKind, bool withFeedback, bool oneAtATime, bool nearClicks, bool previousMask) =>
                ownFeatures with
                {
                    FrameKind = frameKind,
                    Feedback = withFeedback,
                    OneClickARun = oneAtATime,
                    NearTheClicks = nearClicks,
                    PreviousMask = previousMask,
                    Score = score,
                    IoUWithOwn = Overlap(i, 0),
                    IoUWithPrevious = Overlap(i, 1),
                    AreaToPrevious = (double)areas[i] / previousArea,
                    AreaToOwn = (double)areas[i] / ownArea,
                    Violations = ClickAgreement.Violations(masks[i], prompt.Clicks),
                    NewViolations = ClickAgreement.Violations(masks[i], newClicks),
                    Stability = stability,
                    Consensus = Consensus(i),
                };

            // The truth chooses in a yardstick; otherwise the chooser, whose own answer is worth its minimum gain.
            var byJudge = judging is { Choice: not JudgedChoice.Observe };
            var chooser = byJudge ? null : Options.AnswerChooser;
            var ownValue = judging is null ? double.NaN : Judge(own);
            judging?.Options.Add(new JudgedOption(JudgedPicks.OwnAnswer, ownFeatures, ownValue));
            var bestValue = byJudge ? ownValue : chooser?.MinGain ?? double.PositiveInfinity;
            var keepPrevious = keepTrusted;
            var chosen = JudgedPicks.OwnAnswer;
            void Consider(Candidate? c, int i, bool nearClicks, AnswerFeatures features, string pick)
            {
                var judged = judging is null ? double.NaN : Judge(masks[i]);
                judging?.Options.Add(new JudgedOption(pick, features, judged));
                var value = byJudge ? judged : chooser?.EstimatedGain(features) ?? double.NegativeInfinity;
                if (!(value > bestValue)) return;
                (best, localOnly, keepPrevious, bestValue, chosen) = (c ?? best, nearClicks, c is null, value, pick);
                // The guard's mark belongs to the runner's own answer.
                defended = false;
            }
            if (!keepTrusted)
                Consider(null, 1, false, FeaturesOf(1, previous.Score, -1, 3, false, false, false, true), JudgedPicks.PreviousMask);
            for (var k = 0; k < answers.Count; k++)
            {
                var (c, way, frameKind, asked) = answers[k];
                var (shownAt, nearAt) = (2 + 2 * k, 3 + 2 * k);
                var stability = ReferenceEquals(c, ownCandidate) ? ownStability : Stability(c.MaskLogits);
                Consider(c, shownAt, false, FeaturesOf(shownAt, c.Score, stability, frameKind, asked.Feedback, asked.OneAtATime, false, false), way);
                Consider(c, nearAt, true, FeaturesOf(nearAt, c.Score, stability, frameKind, asked.Feedback, asked.OneAtATime, true, false), way + JudgedPicks.NearTheClicks);
            }
            if (judging is not null) judging.Pick = chosen;
            if (keepPrevious)
                return Result(earlierMask.Clone(), previous with { ClicksSeen = prompt.Clicks.Count, DefendedAgainstClicks = false }, previous.Score);
        }

        if (Options.Refinement is { } refinement)
        {
            var cell = (double)Math.Max(best.Frame.Width, best.Frame.Height) / Options.LowResMaskSize;
            if (cell >= Options.RefineFromCellSize)
                EdgeRefinement.Refine(img, best.Frame, best.MaskLogits, prompt.Clicks, cell, refinement);
        }
        var lowRes = best.LowRes;
        var score = best.Score;
        var (mask, extent) = PasteFrame(best.MaskLogits, best.Frame, img.Width, img.Height);
        if (localOnly && previous?.Mask is { } previousMask)
        {
            // Every way of asking threw the trusted mask away: the answer is applied only near the new clicks, and the
            // merged mask is carried on as the next mask prompt.
            mask = LocalMerge.Apply(previousMask, mask, prompt.Clicks.Skip(seen), Options.LocalMergeDepthFactor, Options.LocalMergeMinRadius);
            lowRes = SamLogits.FromMask(mask, best.Frame, Options.LowResMaskSize, Options.EncoderInputSize);
            score = previous.Score;
            extent = mask.BoundingBox()?.ToBox();
        }
        var state = new SamState(best.Frame, lowRes) { ObjectExtent = extent ?? prompt.Box, ClicksSeen = prompt.Clicks.Count, Mask = mask, Score = score };
        return Result(mask, state, score);

        // The answer with what this call spent (the runner's own processing is the time no model run took), whether the
        // collapse guard kept it against the new clicks, and the click discs.
        MaskPrediction Result(BinaryMask resultMask, SamState resultState, double resultScore)
        {
            if (defended)
                resultState = resultState with { DefendedAgainstClicks = ClickAgreement.Violations(resultMask, prompt.Clicks.Skip(seen).ToArray()) > 0 };
            if (Options.EnforceClicksRadius is { } radius && prompt.Clicks.Count > 0)
            {
                var (agreeing, changed) = ClickEnforcement.Apply(resultMask, prompt.Clicks, radius);
                if (changed > 0)
                {
                    // The discs are the annotator's, not a prediction: the logits fed back and the object's extent (which sets
                    // the zoom frame) stay the model's own. The mask the guard compares with is the one shown.
                    resultMask = agreeing;
                    resultState = resultState with { Mask = agreeing };
                }
            }
            total.Stop();
            var overhead = Math.Max(0, total.Elapsed.TotalMilliseconds - work.EncoderPreprocessMs - work.EncoderMs - work.DecoderMs);
            return new MaskPrediction(resultMask, resultState, new ModelCallTiming(work.EncoderMs, work.DecoderMs, overhead, work.DecoderRuns) { EncoderPreprocessMs = work.EncoderPreprocessMs }, resultScore);
        }
    }

    /// <summary>One answer to the prompt, asked in one way (frame, previous logits fed back or not, clicks one run at a time or together).</summary>
    private Candidate Answer(SamPreparedImage prepared, AskedAs asked, SegmentationPrompt prompt, SamState? previous, CallWork work)
    {
        var frame = asked.Frame;
        var (embedding, encoderTiming) = prepared.GetOrEncode(frame, f => Encode(prepared.Image, f));
        work.EncoderMs += encoderTiming.RunMs;
        work.EncoderPreprocessMs += encoderTiming.PreprocessMs;

        var lowResInput = new float[Options.LowResMaskSize * Options.LowResMaskSize];
        var hasMask = 0f;
        if (asked.Feedback && previous is not null)
        {
            if (previous.Frame == frame)
                Array.Copy(previous.LowResLogits, lowResInput, lowResInput.Length);
            else
                SamLogits.Resample(previous.LowResLogits, previous.Frame, lowResInput, frame, Options.EncoderInputSize);
            hasMask = 1f;
        }

        // SAM is trained adding one point at a time with its own logits fed back; several new clicks at once
        // can be given to it in that same way, one decoder run per click.
        if (asked.OneAtATime)
        {
            var seen = previous?.ClicksSeen ?? 0;
            for (var k = Math.Max(seen + 1, 1); k < prompt.Clicks.Count; k++)
            {
                var partial = prompt with { Clicks = prompt.Clicks.Take(k).ToArray() };
                var step = Decode(embedding, BuildPoints(partial, frame), lowResInput, hasMask, frame, withMask: false);
                lowResInput = step.LowRes;
                hasMask = 1f;
                work.DecoderMs += step.DecoderMs;
                work.DecoderRuns++;
            }
        }
        var answer = Decode(embedding, BuildPoints(prompt, frame), lowResInput, hasMask, frame, withMask: true);
        work.DecoderMs += answer.DecoderMs;
        work.DecoderRuns++;
        var logits = answer.MaskLogits!;
        var violations = ClickAgreement.Violations(logits, frame, prompt.Clicks);
        if (violations > 0 && answer.AllLowRes is { } all && answer.AllScores is { } scores)
        {
            // The decoder keeps one of its masks by a fixed rule; another of them may agree with more clicks.
            var size = Options.LowResMaskSize * Options.LowResMaskSize;
            var bestToken = -1;
            var bestViolations = violations;
            for (var k = 0; k < scores.Length; k++)
            {
                var token = all.AsSpan(k * size, size);
                var v = LowResViolations(token, frame, prompt.Clicks);
                if (v < bestViolations || (v == bestViolations && bestToken >= 0 && scores[k] > scores[bestToken]))
                {
                    bestToken = k;
                    bestViolations = v;
                }
            }
            if (bestToken >= 0)
            {
                var lowRes = all.AsSpan(bestToken * size, size).ToArray();
                var upsampled = SamLogits.Upsample(lowRes, frame, Options.EncoderInputSize);
                var upsampledViolations = ClickAgreement.Violations(upsampled, frame, prompt.Clicks);
                if (upsampledViolations < violations)
                    return new Candidate(frame, upsampled, lowRes, scores[bestToken], upsampledViolations);
            }
        }
        return new Candidate(frame, logits, answer.LowRes, answer.Score, violations);
    }

    /// <summary>Clicks a low-resolution mask of the frame contradicts, read at each click's point.</summary>
    private int LowResViolations(ReadOnlySpan<float> grid, PixelRect frame, IReadOnlyList<Click> clicks)
    {
        var violations = 0;
        foreach (var click in clicks)
        {
            var inFrame = click.X >= frame.X && click.Y >= frame.Y && click.X < frame.Right && click.Y < frame.Bottom;
            var inside = inFrame && SamLogits.At(grid, frame, click.X, click.Y, Options.EncoderInputSize) > 0f;
            if (inside != click.IsForeground) violations++;
        }
        return violations;
    }

    /// <summary>
    /// The decoder session, and whether it returns all of its masks: with <see cref="SamOptions.ChooseAmongMasks"/>
    /// the graph is rewritten in memory to return them (<see cref="SamDecoderGraph"/>).
    /// </summary>
    private (InferenceSession Session, bool AllMasks) OpenDecoder(string path, string name)
    {
        if (!Options.ChooseAmongMasks)
            return (OnnxSessionFactory.Create(path, name, intraOpThreads: Options.IntraOpThreads).Session, false);
        if (!File.Exists(path))
            throw new FileNotFoundException($"ONNX model file for {name} not found: {path}", path);
        var rewritten = SamDecoderGraph.ExposeAllMasks(File.ReadAllBytes(path));
        if (rewritten is null)
        {
            Serilog.Log.Warning("{Model}: the decoder {Path} does not pick one of several masks in the standard way; it is run as it is", name, path);
            return (OnnxSessionFactory.Create(path, name, intraOpThreads: Options.IntraOpThreads).Session, false);
        }
        return (OnnxSessionFactory.Create(rewritten, path, name, intraOpThreads: Options.IntraOpThreads).Session, true);
    }

    /// <summary>SAM's stability score of a frame's logits: the area above +1 over the area above -1 (1 when both are empty).</summary>
    private static double Stability(float[] logits)
    {
        long high = 0, low = 0;
        foreach (var v in logits)
        {
            if (v > -1f) low++;
            if (v > 1f) high++;
        }
        return low == 0 ? 1 : (double)high / low;
    }

    /// <summary>Whether an answer contradicts a click or throws the previous mask away.</summary>
    private static bool Suspect(Candidate candidate) => candidate.Violations > 0 || candidate.Collapsed;

    /// <summary>Whether the answer keeps less than <see cref="SamOptions.CollapseIoU"/> of the previous mask (IoU).</summary>
    private bool Collapsed(Candidate candidate, SamState? previous)
    {
        if (previous?.Mask is not { } mask || Options.CollapseIoU <= 0) return false;
        return FrameIoU(candidate.MaskLogits, candidate.Frame, mask) < Options.CollapseIoU;
    }

    /// <summary>A frame's positive logits against an image mask: their overlap, their area and the mask's whole area.</summary>
    private static (long Inter, long Area, long MaskArea) FrameOverlap(float[] logits, PixelRect frame, BinaryMask mask)
    {
        long inter = 0, area = 0;
        for (var y = 0; y < frame.Height; y++)
        {
            var src = y * frame.Width;
            var dst = (frame.Y + y) * mask.Width + frame.X;
            for (var x = 0; x < frame.Width; x++)
            {
                if (logits[src + x] <= 0f) continue;
                area++;
                if (mask.Data[dst + x] != 0) inter++;
            }
        }
        return (inter, area, mask.Area());
    }

    /// <summary>IoU of a frame's logits (positive: object) with an image mask; the mask outside the frame counts in the union.</summary>
    private static double FrameIoU(float[] logits, PixelRect frame, BinaryMask mask) => IoU(FrameOverlap(logits, frame, mask));

    private static double IoU((long Inter, long Area, long MaskArea) overlap)
    {
        var union = overlap.Area + overlap.MaskArea - overlap.Inter;
        return union == 0 ? 1 : (double)overlap.Inter / union;
    }

    /// <summary>The better answer: fewer clicks contradicted, then not a collapse, then the higher score SAM gives it.</summary>
    private static Candidate Better(Candidate current, Candidate? challenger)
    {
        if (challenger is null) return current;
        if (challenger.Violations != current.Violations) return challenger.Violations < current.Violations ? challenger : current;
        if (challenger.Collapsed != current.Collapsed) return current.Collapsed ? challenger : current;
        return challenger.Score > current.Score ? challenger : current;
    }

    /// <summary>A way of asking as a judged choice names it.</summary>
    private static string WayName(string frameName, AskedAs asked) =>
        $"{frameName}, {(asked.Feedback ? "mask prompt" : "no mask prompt")}{(asked.OneAtATime ? ", one click a run" : "")}";

    /// <summary>An evaluation's judge for one call, and the answer it chose.</summary>
    private sealed class Judging(Func<BinaryMask, double> judge, JudgedChoice choice)
    {
        public Func<BinaryMask, double> Judge { get; } = judge;
        public JudgedChoice Choice { get; } = choice;
        public string Pick { get; set; } = JudgedPicks.OwnAnswer;
        public List<JudgedOption> Options { get; } = [];
    }

    /// <summary>How the weights were asked: in which frame, with the previous logits fed back or not, clicks one decoder run at a time or together.</summary>
    private readonly record struct AskedAs(PixelRect Frame, bool Feedback, bool OneAtATime);

    private sealed record Candidate(PixelRect Frame, float[] MaskLogits, float[] LowRes, double Score, int Violations)
    {
        public bool Collapsed { get; init; }
        public AskedAs Way { get; init; }
    }

    /// <summary>What one model call has spent so far.</summary>
    private sealed class CallWork
    {
        public double EncoderMs;
        public double EncoderPreprocessMs;
        public double DecoderMs;
        public int DecoderRuns;
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
        if (prompt.Box is null && prompt.Clicks.Count < Options.ZoomFromClick) return whole;
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

    private (float[]? MaskLogits, float[] LowRes, double Score, double DecoderMs, float[]? AllLowRes, float[]? AllScores) Decode(
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
            allMasks && withMask
                ? ["masks", "iou_predictions", "low_res_masks", SamDecoderGraph.AllMasksOutput, SamDecoderGraph.AllScoresOutput]
                : ["masks", "iou_predictions", "low_res_masks"]);
        watch.Stop();

        var masksShape = outputs[0].GetTensorTypeAndShape().Shape;
        if (masksShape.Length != 4 || masksShape[2] != frame.Height || masksShape[3] != frame.Width)
            throw new InvalidDataException($"{Name} decoder returned masks of shape [{string.Join(",", masksShape)}], expected [1,1,{frame.Height},{frame.Width}].");
        var maskLogits = withMask ? outputs[0].GetTensorDataAsSpan<float>()[..(frame.Width * frame.Height)].ToArray() : null;
        var score = outputs[1].GetTensorDataAsSpan<float>()[0];
        var lowRes = outputs[2].GetTensorDataAsSpan<float>()[..(lowSize * lowSize)].ToArray();
        float[]? all = null, allScores = null;
        if (allMasks && withMask)
        {
            all = outputs[3].GetTensorDataAsSpan<float>().ToArray();
            allScores = outputs[4].GetTensorDataAsSpan<float>().ToArray();
            if (all.Length != allScores.Length * lowSize * lowSize)
                throw new InvalidDataException($"{Name} decoder returned {all.Length} low-resolution values for {allScores.Length} masks.");
        }
        return (maskLogits, lowRes, score, watch.Elapsed.TotalMilliseconds, all, allScores);
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

    /// <summary>SAM's predicted IoU of its answer, before any click discs (<see cref="SamOptions.EnforceClicksRadius"/>); after a merge or a kept mask, the score of the mask it started from.</summary>
    public double Score { get; init; }

    /// <summary>
    /// Whether the collapse guard (<see cref="SamOptions.TrustAboveScore"/>) kept this mask instead of the answer to new
    /// clicks, and the mask, before the click discs, contradicts one of those clicks. Such a mask is defended again only
    /// against answers that lose it, not against answers that keep it and add to it.
    /// </summary>
    public bool DefendedAgainstClicks { get; init; }
}
