using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Models;

namespace Segmentation.Tests.Models;

public sealed class RoundChainTests
{
    /// <summary>
    /// A model whose answer depends on the box, the clicks and the whole chain of previous states (like SAM's logit
    /// feedback): the mask is a horizontal band whose height is the hash of the history.
    /// </summary>
    private sealed class HistoryModel : ISegmentationModel
    {
        public int Calls;
        public int Warms;
        public string Name => "history";
        public IPreparedImage Prepare(RgbImage image) => new Prepared(image);

        public MaskPrediction Predict(IPreparedImage image, SegmentationPrompt prompt)
        {
            Interlocked.Increment(ref Calls);
            var previous = (prompt.Previous as History)?.Trace ?? "";
            var trace = previous + "|" + string.Join(";", prompt.Clicks.Select(c => $"{c.X},{c.Y},{c.IsForeground}"));
            var rows = 1 + (int)(ShardHash(trace) % (uint)(image.Image.Height - 1));
            var mask = new BinaryMask(image.Image.Width, image.Image.Height);
            for (var i = 0; i < rows * image.Image.Width; i++) mask.Data[i] = 1;
            return new MaskPrediction(mask, new History(trace), new ModelCallTiming(0, 1, 0));
        }

        public double Warm(IPreparedImage image, SegmentationPrompt prompt)
        {
            Interlocked.Increment(ref Warms);
            return 0;
        }

        public void Dispose() { }

        private static uint ShardHash(string s)
        {
            var h = 2166136261u;
            foreach (var ch in s) h = (h ^ ch) * 16777619u;
            return h;
        }

        private sealed record History(string Trace) : PredictionState;

        private sealed class Prepared(RgbImage image) : IPreparedImage
        {
            public RgbImage Image { get; } = image;
            public void Dispose() { }
        }
    }

    private static readonly BoxF Box = new(2, 2, 20, 20);
    private static readonly IReadOnlyList<IReadOnlyList<Click>> Rounds =
    [
        [new Click(5, 5, ClickLabel.Foreground), new Click(7, 9, ClickLabel.Background)],
        [new Click(11, 3, ClickLabel.Foreground)],
        [new Click(4, 14, ClickLabel.Background)],
    ];

    private static (HistoryModel Model, IPreparedImage Image) NewModel()
    {
        var model = new HistoryModel();
        return (model, model.Prepare(new RgbImage(24, 40, new byte[24 * 40 * 3])));
    }

    [Fact]
    public void Replaying_from_an_empty_cache_gives_the_same_mask_as_running_the_rounds_in_one_sitting()
    {
        var (model, image) = NewModel();
        var continuous = new RoundStateCache();
        BinaryMask? last = null;
        for (var round = 0; round <= 3; round++)
            last = RoundChain.Predict(model, image, continuous, "a", Box, Rounds, round, null).Prediction.Mask;
        Assert.Equal(4, model.Calls);

        var (fresh, freshImage) = NewModel();
        var result = RoundChain.Predict(fresh, freshImage, new RoundStateCache(), "a", Box, Rounds, 3, null);

        Assert.Equal(3, result.ReplayedRounds);
        Assert.Equal(4, fresh.Calls);
        Assert.Equal(last!.Data, result.Prediction.Mask.Data);
    }

    [Fact]
    public void A_cached_state_is_continued_without_replay_and_a_committed_preview_is_not_recomputed()
    {
        var (model, image) = NewModel();
        var cache = new RoundStateCache();
        RoundChain.Predict(model, image, cache, "a", Box, Rounds, 0, null);
        RoundChain.Predict(model, image, cache, "a", Box, Rounds, 1, null);
        Assert.Equal(2, model.Calls);

        var preview = RoundChain.Predict(model, image, cache, "a", Box, Rounds.Take(1).ToArray(), 2, Rounds[1]);
        Assert.Equal(0, preview.ReplayedRounds);
        Assert.Equal(3, model.Calls);

        var committed = RoundChain.Predict(model, image, cache, "a", Box, Rounds.Take(2).ToArray(), 2, null);
        Assert.True(committed.FromPreview);
        Assert.Equal(3, model.Calls);
        Assert.Equal(preview.Prediction.Mask.Data, committed.Prediction.Mask.Data);

        // A preview with other clicks does not stand in for the committed round.
        var other = RoundChain.Predict(model, image, cache, "b", Box, Rounds.Take(1).ToArray(), 2, [new Click(1, 1, ClickLabel.Background)]);
        Assert.Equal(2, other.ReplayedRounds);
        var committedB = RoundChain.Predict(model, image, cache, "b", Box, Rounds.Take(2).ToArray(), 2, null);
        Assert.False(committedB.FromPreview);
    }

    [Fact]
    public void Warm_rebuilds_the_previous_state_and_asks_the_model_to_prepare()
    {
        var (model, image) = NewModel();
        var cache = new RoundStateCache();
        var (replayed, _) = RoundChain.Warm(model, image, cache, "a", Box, Rounds, 2);
        Assert.Equal(2, replayed);
        Assert.Equal(1, model.Warms);
        var next = RoundChain.Predict(model, image, cache, "a", Box, Rounds.Take(2).ToArray(), 2, null);
        Assert.Equal(0, next.ReplayedRounds);
    }
}
