using Segmentation.Masks;

namespace Segmentation.Models;

/// <summary>
/// The model's answer after the latest round computed for one object, with the clicks it saw, kept so the next
/// round continues from it (SAM-style models feed their previous logits back).
/// </summary>
public sealed record RoundState(int Round, MaskPrediction Prediction);

/// <summary>
/// Per object, the latest <see cref="RoundState"/> and the last preview, safe for concurrent use. An entry is only
/// a cache: <see cref="RoundChain"/> recomputes a missing state by replaying the earlier rounds.
/// </summary>
public sealed class RoundStateCache
{
    private readonly Dictionary<string, RoundState> latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Round, Click[] Clicks, MaskPrediction Prediction)> previews = new(StringComparer.Ordinal);
    private readonly object gate = new();

    public int Count
    {
        get { lock (gate) return latest.Count; }
    }

    public RoundState? Get(string objectKey, int round)
    {
        lock (gate) return latest.TryGetValue(objectKey, out var s) && s.Round == round ? s : null;
    }

    public void Put(string objectKey, RoundState state)
    {
        lock (gate)
        {
            if (!latest.TryGetValue(objectKey, out var s) || s.Round <= state.Round) latest[objectKey] = state;
        }
    }

    public MaskPrediction? GetPreview(string objectKey, int round, IReadOnlyList<Click> clicks)
    {
        lock (gate)
            return previews.TryGetValue(objectKey, out var p) && p.Round == round && p.Clicks.SequenceEqual(clicks) ? p.Prediction : null;
    }

    public void PutPreview(string objectKey, int round, IReadOnlyList<Click> clicks, MaskPrediction prediction)
    {
        lock (gate) previews[objectKey] = (round, clicks.ToArray(), prediction);
    }

    public void Clear()
    {
        lock (gate)
        {
            latest.Clear();
            previews.Clear();
        }
    }
}

/// <summary>What a <see cref="RoundChain"/> call produced and how many earlier rounds it had to recompute.</summary>
public sealed record RoundChainResult(MaskPrediction Prediction, int ReplayedRounds, bool FromPreview, ModelCallTiming Timing);

/// <summary>
/// Computes an object's mask for a round the way the rounds protocol does in one sitting: round 0 from the box,
/// round r from the box, every click of rounds 1..r and the model state after round r-1. The state after round r-1
/// comes from the cache, or is rebuilt by replaying rounds 0..r-1 with their committed clicks (deterministic), so the
/// answer does not depend on whether the process kept its memory between rounds.
/// </summary>
public static class RoundChain
{
    /// <param name="clicksByRound">Committed clicks: element k holds the clicks of round k+1 (round 0 has none).</param>
    /// <param name="round">The round whose mask is wanted.</param>
    /// <param name="tentative">Clicks of <paramref name="round"/> not committed (a preview); null for a committed round.</param>
    public static RoundChainResult Predict(ISegmentationModel model, IPreparedImage image, RoundStateCache cache, string objectKey,
        BoxF box, IReadOnlyList<IReadOnlyList<Click>> clicksByRound, int round, IReadOnlyList<Click>? tentative)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        var timings = new List<ModelCallTiming>();
        var (previous, replayed) = StateBefore(model, image, cache, objectKey, box, clicksByRound, round, timings);

        var clicks = AllClicks(clicksByRound, round, tentative);
        MaskPrediction prediction;
        var fromPreview = false;
        if (tentative is null && round > 0 && cache.GetPreview(objectKey, round, clicks) is { } previewed)
        {
            // The annotator previewed exactly these clicks: committing them gives the same answer.
            prediction = previewed;
            fromPreview = true;
        }
        else
        {
            prediction = round == 0
                ? model.Predict(image, SegmentationPrompt.FromBox(box))
                : model.Predict(image, new SegmentationPrompt(box, clicks, previous!.Prediction.State));
            timings.Add(prediction.Timing);
        }

        if (tentative is null) cache.Put(objectKey, new RoundState(round, prediction));
        else cache.PutPreview(objectKey, round, clicks, prediction);
        return new RoundChainResult(prediction, replayed, fromPreview, Sum(timings));
    }

    /// <summary>
    /// Makes the state after round <paramref name="round"/>-1 available and lets the model prepare the image region
    /// for round <paramref name="round"/>. Returns the work done.
    /// </summary>
    public static (int ReplayedRounds, double WarmMs) Warm(ISegmentationModel model, IPreparedImage image, RoundStateCache cache, string objectKey,
        BoxF box, IReadOnlyList<IReadOnlyList<Click>> clicksByRound, int round)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        var (previous, replayed) = StateBefore(model, image, cache, objectKey, box, clicksByRound, round, new List<ModelCallTiming>());
        var prompt = new SegmentationPrompt(box, AllClicks(clicksByRound, round - 1, null), previous?.Prediction.State);
        return (replayed, model.Warm(image, round == 0 ? SegmentationPrompt.FromBox(box) : prompt));
    }

    private static (RoundState? Previous, int Replayed) StateBefore(ISegmentationModel model, IPreparedImage image, RoundStateCache cache,
        string objectKey, BoxF box, IReadOnlyList<IReadOnlyList<Click>> clicksByRound, int round, List<ModelCallTiming> timings)
    {
        if (round == 0) return (null, 0);
        if (round - 1 > clicksByRound.Count)
            throw new ArgumentException($"Round {round} needs the clicks of rounds 1..{round - 1}; only {clicksByRound.Count} rounds were given.", nameof(clicksByRound));
        if (cache.Get(objectKey, round - 1) is { } hit) return (hit, 0);

        RoundState? state = null;
        var replayed = 0;
        for (var r = 0; r < round; r++)
        {
            var prediction = r == 0
                ? model.Predict(image, SegmentationPrompt.FromBox(box))
                : model.Predict(image, new SegmentationPrompt(box, AllClicks(clicksByRound, r, null), state!.Prediction.State));
            timings.Add(prediction.Timing);
            state = new RoundState(r, prediction);
            replayed++;
        }
        cache.Put(objectKey, state!);
        return (state, replayed);
    }

    private static Click[] AllClicks(IReadOnlyList<IReadOnlyList<Click>> clicksByRound, int throughRound, IReadOnlyList<Click>? tentative)
    {
        var all = new List<Click>();
        for (var r = 1; r <= throughRound && r <= clicksByRound.Count; r++) all.AddRange(clicksByRound[r - 1]);
        if (tentative is not null) all.AddRange(tentative);
        return all.ToArray();
    }

    private static ModelCallTiming Sum(List<ModelCallTiming> timings) =>
        timings.Count == 0
            ? new ModelCallTiming(0, 0, 0, 0)
            : new ModelCallTiming(timings.Sum(t => t.EncoderMs), timings.Sum(t => t.DecoderMs), timings.Sum(t => t.OverheadMs), timings.Sum(t => t.DecoderRuns))
            { EncoderPreprocessMs = timings.Sum(t => t.EncoderPreprocessMs) };
}
