using Segmentation.Evaluation;
using Segmentation.Evaluation.Datasets;
using Segmentation.Imaging;
using Segmentation.Masks;
using Segmentation.Models;

namespace Segmentation.Tests.Evaluation;

public sealed class EvaluationRunnerTests
{
    [Fact]
    public void Settings_run_together_each_report_the_time_of_their_own_runs()
    {
        var dir = Directory.CreateTempSubdirectory("runner-");
        try
        {
            var truth = BinaryMask.FromPredicate(64, 48, (x, y) => x >= 16 && x < 40 && y >= 12 && y < 36);
            var path = Path.Combine(dir.FullName, "image.png");
            ImageCodec.WriteMaskPng(truth, path);
            var instances = Enumerable.Range(0, 2)
                .Select(i => new EvaluationInstance($"i{i}", path, path, null, () => new InstanceTruth(truth)))
                .ToArray();
            using var model = new SlowEmptyModel(TimeSpan.FromMilliseconds(100));
            ProtocolSettings[] settings = [new() { Rounds = 0 }, new() { Rounds = 3 }];

            var reports = EvaluationRunner.RunAll(model, settings, instances, []);

            // The box alone is one call per instance; three rounds on an empty mask are four.
            Assert.Equal(2 + 8, model.Calls);
            Assert.True(reports[0].Elapsed >= TimeSpan.FromMilliseconds(2 * 100), $"box only took {reports[0].Elapsed}");
            Assert.True(reports[1].Elapsed >= TimeSpan.FromMilliseconds(8 * 100), $"three rounds took {reports[1].Elapsed}");
            // Six calls more take 600 ms more; the margin is for first-call compilation in the first setting.
            Assert.True(reports[1].Elapsed - reports[0].Elapsed >= TimeSpan.FromMilliseconds(400),
                $"box only {reports[0].Elapsed}, three rounds {reports[1].Elapsed}: the extra six calls are missing");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>A model that answers every prompt with an empty mask after a fixed wait.</summary>
    private sealed class SlowEmptyModel(TimeSpan wait) : ISegmentationModel
    {
        public string Name => "slow-empty";
        public int Calls { get; private set; }

        public IPreparedImage Prepare(RgbImage image) => new Prepared(image);

        public MaskPrediction Predict(IPreparedImage image, SegmentationPrompt prompt)
        {
            Thread.Sleep(wait);
            Calls++;
            return new(new BinaryMask(image.Image.Width, image.Image.Height), null, new ModelCallTiming(0, wait.TotalMilliseconds, 0));
        }

        public void Dispose()
        {
        }

        private sealed record Prepared(RgbImage Image) : IPreparedImage
        {
            public void Dispose()
            {
            }
        }
    }
}
