using Segmentation.Evaluation.Datasets;
using Segmentation.Masks;
using Segmentation.Models;
using Segmentation.Ranking;
using Segmentation.Simulation;

namespace Segmentation.Evaluation;

/// <summary>Runs one simulated annotator on one instance with a model.</summary>
public static class Protocols
{
    public static InstanceResult Run(ProtocolSettings settings, ISegmentationModel model, IPreparedImage image, string instanceId, InstanceTruth truth) =>
        settings.Kind switch
        {
            ProtocolKind.Rounds => RunRounds(settings, model, image, instanceId, truth),
            ProtocolKind.Noc => RunNoc(settings, model, image, instanceId, truth),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Kind, "Unknown protocol."),
        };

    /// <summary>
    /// The paper's protocol: a noisy box gives M_b's mask; then each round the simulated annotator places up
    /// to K corrective clicks (0 clicks when no error region is large enough: the mask is accepted as it is)
    /// and M_b+c predicts from the box and all clicks so far.
    /// </summary>
    public static InstanceResult RunRounds(ProtocolSettings settings, ISegmentationModel model, IPreparedImage image, string instanceId, InstanceTruth truth)
    {
        var rng = GaussianRandom.ForInstance(settings.Seed, instanceId);
        var gt = truth.Mask;
        var img = image.Image;
        var tight = NoisyBoxSimulator.TightBox(gt);
        var box = new NoisyBoxSimulator(settings.Boxes).Draw(tight, img.Width, img.Height, rng);
        var clickSimulator = new ClickSimulator(settings.Clicks);
        var trajectory = new Trajectory(settings, truth);

        var prediction = Predict(settings, model, image, SegmentationPrompt.FromBox(box), truth, trajectory);
        trajectory.Record(prediction, clicks: 0, Array.Empty<Click>());
        var clicks = new List<Click>();
        var accepted = false;
        for (var round = 1; round <= settings.Rounds; round++)
        {
            var roundClicks = accepted
                ? Array.Empty<Click>()
                : clickSimulator.CorrectiveClicks(gt, prediction.Mask, settings.ClicksPerRound, rng, truth.Ignore);
            if (roundClicks.Count == 0)
            {
                // A 0-click answer: the annotator accepts the mask, which stays as it is for later rounds.
                if (!accepted)
                    trajectory.Assess(RoundAssessment.Of(prediction.Mask, prediction.Mask, roundClicks, round, prediction.ModelScore, gt, truth.Ignore),
                        prediction.Mask, prediction.Mask);
                accepted = true;
                trajectory.Repeat();
                continue;
            }
            clicks.AddRange(roundClicks);
            var previous = prediction.Mask;
            prediction = Predict(settings, model, image, new SegmentationPrompt(box, clicks.ToArray(), prediction.State), truth, trajectory);
            trajectory.Record(prediction, roundClicks.Count, clicks);
            trajectory.Assess(RoundAssessment.Of(previous, prediction.Mask, roundClicks, round, prediction.ModelScore, gt, truth.Ignore),
                previous, prediction.Mask);
        }
        return trajectory.Result(instanceId, box);
    }

    /// <summary>
    /// The standard NoC protocol of interactive segmentation papers: no box; the first click at the object's
    /// interior centre, each next one at the interior centre of the largest error region, up to the limit.
    /// </summary>
    public static InstanceResult RunNoc(ProtocolSettings settings, ISegmentationModel model, IPreparedImage image, string instanceId, InstanceTruth truth)
    {
        var gt = truth.Mask;
        var current = new BinaryMask(gt.Width, gt.Height);
        var trajectory = new Trajectory(settings, truth);
        var clicks = new List<Click>();
        PredictionState? state = null;
        for (var k = 1; k <= settings.MaxNocClicks; k++)
        {
            var next = ClickSimulator.LargestErrorClick(gt, current, truth.Ignore, clicks);
            if (next is null)
            {
                trajectory.Repeat();
                continue;
            }
            clicks.Add(next.Value);
            var prediction = Predict(settings, model, image, new SegmentationPrompt(null, clicks.ToArray(), state), truth, trajectory);
            state = prediction.State;
            current = prediction.Mask;
            trajectory.Record(prediction, clicks: 1, clicks);
        }
        return trajectory.Result(instanceId, box: null);
    }

    /// <summary>The model's answer, or with <see cref="ProtocolSettings.JudgedChoice"/> the best by IoU with the truth among the answers it could give.</summary>
    private static MaskPrediction Predict(ProtocolSettings settings, ISegmentationModel model, IPreparedImage image, SegmentationPrompt prompt, InstanceTruth truth, Trajectory trajectory)
    {
        if (settings.JudgedChoice is not { } choice) return model.Predict(image, prompt);
        if (model is not IJudgedChoiceModel judged)
            throw new InvalidOperationException($"Model {model.Name} cannot show the answers it could give, so no judged choice can be made with it.");
        var answer = judged.PredictJudged(image, prompt, mask => MaskMetrics.IoU(mask, truth.Mask, truth.Ignore), choice);
        trajectory.Picked(answer.Pick, answer.Options);
        return answer.Prediction;
    }

    private sealed class Trajectory(ProtocolSettings settings, InstanceTruth truth)
    {
        private readonly List<double> iou = [];
        private readonly List<double> boundaryF = [];
        private readonly List<int> clicks = [];
        private readonly List<ModelCallTiming> calls = [];
        private readonly List<RoundQuality> quality = [];
        private readonly List<int> violations = [];
        private readonly List<string> picks = [];
        private readonly List<IReadOnlyList<JudgedOption>> options = [];

        public void Picked(string pick, IReadOnlyList<JudgedOption> judged)
        {
            picks.Add(pick);
            options.Add(judged);
        }

        public void Record(MaskPrediction prediction, int clicks, IReadOnlyList<Click> allClicks)
        {
            violations.Add(ClickAgreement.Violations(prediction.Mask, allClicks));
            iou.Add(MaskMetrics.IoU(prediction.Mask, truth.Mask, truth.Ignore));
            boundaryF.Add(MaskMetrics.BoundaryFMeasure(prediction.Mask, truth.Mask, settings.BoundaryTolerancePx, truth.Ignore));
            this.clicks.Add(clicks);
            calls.Add(prediction.Timing);
        }

        /// <summary>A finished round's quality signals, as the backend computes them for M_r, with the mask's true IoU.</summary>
        public void Assess(RoundAssessment assessment, BinaryMask previous, BinaryMask mask) =>
            quality.Add(new RoundQuality(new QualityExample(assessment.Features, assessment.TrueIoU!.Value), previous.Area(), mask.Area()));

        /// <summary>A step without a model call: the mask (and so its quality) is unchanged.</summary>
        public void Repeat()
        {
            iou.Add(iou.Count > 0 ? iou[^1] : 0);
            boundaryF.Add(boundaryF.Count > 0 ? boundaryF[^1] : 0);
            clicks.Add(0);
            violations.Add(violations.Count > 0 ? violations[^1] : 0);
        }

        public InstanceResult Result(string id, BoxF? box) => new(id, iou, boundaryF, clicks, box, calls)
        {
            Quality = quality,
            ClickViolations = violations,
            ObjectAreaFraction = (double)truth.Mask.Area() / ((long)truth.Mask.Width * truth.Mask.Height),
            JudgedPicks = picks,
            JudgedOptions = options,
        };
    }
}
