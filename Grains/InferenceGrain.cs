using System.Diagnostics;
using Grains.Inference;
using Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Segmentation.Masks;
using Segmentation.Models;

namespace Grains;

/// <summary>
/// Runs M_b and M_b+c through the kernel's model abstraction. Stateless: the models and their bounded queues belong
/// to the silo's <see cref="ModelHost"/>, the images to <see cref="ResidentImages"/>; a stateless worker is always
/// activated in the caller's silo, so it sees the image grain's resident image.
/// </summary>
[StatelessWorker(MaxWorkers)]
public sealed class InferenceGrain(ModelHost models, ResidentImages images, ILogger<InferenceGrain> logger) : Grain, IInferenceGrain
{
    /// <summary>Activations are cheap (no state); the model host's lanes, not the activation count, bound the work.</summary>
    const int MaxWorkers = 64;

    public async Task<ModelAnswer> Predict(string imageKey, ModelQuestion question)
    {
        var total = Stopwatch.StartNew();
        var box = question.Box.ToKernel();
        var byRound = ClicksByRound(question);
        var tentative = question.TentativeClicks?.Select(c => c.ToKernel()).ToArray();
        var (result, queueMs) = await models.Run(question.Lane, () =>
        {
            var model = models.Get(question.ModelName);
            var image = images.GetOrLoad(imageKey, question.ImageFile, model);
            return RoundChain.Predict(model, image.Prepared, image.States, question.InstanceKey, box, byRound, question.Round, tentative);
        });
        var mask = MaskRleConversions.ToWire(result.Prediction.Mask);
        var t = result.Timing;
        if (result.ReplayedRounds > 0)
            logger.LogInformation("Rebuilt {ReplayedRounds} earlier rounds of {InstanceKey} before round {Round}",
                result.ReplayedRounds, question.InstanceKey, question.Round);
        return new ModelAnswer(mask, result.Prediction.ModelScore,
            new ModelTiming(t.EncoderMs, t.DecoderMs, t.DecoderRuns, queueMs, total.Elapsed.TotalMilliseconds, result.ReplayedRounds));
    }

    public async Task Warm(string imageKey, ModelQuestion question)
    {
        var box = question.Box.ToKernel();
        var byRound = ClicksByRound(question);
        var ((replayed, warmMs), _) = await models.Run(question.Lane == InferenceLane.Interactive ? InferenceLane.Soon : question.Lane, () =>
        {
            var model = models.Get(question.ModelName);
            var image = images.GetOrLoad(imageKey, question.ImageFile, model);
            return RoundChain.Warm(model, image.Prepared, image.States, question.InstanceKey, box, byRound, question.Round);
        });
        logger.LogDebug("Warmed {InstanceKey} for round {Round}: {ReplayedRounds} rounds rebuilt, {WarmMs:F0} ms encoding",
            question.InstanceKey, question.Round, replayed, warmMs);
    }


    static IReadOnlyList<IReadOnlyList<Click>> ClicksByRound(ModelQuestion question)
    {
        var rounds = Math.Max(question.Round, question.CommittedClicks.Count == 0 ? 0 : question.CommittedClicks.Max(c => c.Round));
        var byRound = new List<IReadOnlyList<Click>>();
        for (var r = 1; r <= rounds; r++)
            byRound.Add(question.CommittedClicks.Where(c => c.Round == r)
                .Select(c => c.ToKernel())
                .ToArray());
        return byRound;
    }
}
