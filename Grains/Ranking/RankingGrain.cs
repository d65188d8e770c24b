using Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Segmentation.Ranking;

namespace Grains;

[GenerateSerializer, Alias("RankingExample")]
public sealed record RankingExample(
    [property: Id(0)] QualitySignals Signals,
    [property: Id(1)] double TrueIoU);

[GenerateSerializer, Alias("RankingState")]
public sealed class RankingState
{
    /// <summary>Key "instanceId/round": one example per finished round of a ground-truth instance.</summary>
    [Id(0)] public Dictionary<string, RankingExample> Examples { get; set; } = new(StringComparer.Ordinal);

    [Id(1)] public int ModelVersion { get; set; }

    [Id(2)] public byte[]? Model { get; set; }

    [Id(3)] public int TrainedOnExamples { get; set; }

    [Id(4)] public Dictionary<string, double> Importances { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Collects M_r's training examples for one campaign and retrains the forest when the example count has grown by a
/// quarter since the last training (from <see cref="MinExamples"/> on), and <see cref="CatchUpDelay"/> after the last
/// new example when some are not in the model yet. Training runs off the grain scheduler.
/// </summary>
public sealed class RankingGrain(
    [PersistentState("ranking", StorageNames.Annotation)] IPersistentState<RankingState> state,
    ILogger<RankingGrain> logger)
    : Grain, IRankingGrain
{
    public const int MinExamples = 20;

    /// <summary>How long after the last new example the model is retrained on examples the quarter-growth rule has not taken in yet.</summary>
    public static readonly TimeSpan CatchUpDelay = TimeSpan.FromSeconds(5);

    RankingState S => state.State;
    IGrainTimer? catchUp;

    public async Task AddExample(string instanceId, QualitySignals signals, double trueIoU)
    {
        if (!AnnotationKeys.IsValidId(instanceId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(instanceId), $"'{instanceId}' is not a valid instance id.");
        if (signals is null || !double.IsFinite(trueIoU) || trueIoU is < 0 or > 1)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(trueIoU), "An example needs signals and a true IoU in [0, 1].");
        var key = $"{instanceId}/{signals.Round}";
        if (S.Examples.ContainsKey(key)) return;
        S.Examples[key] = new RankingExample(signals, trueIoU);
        // Written before training, which may fail: an example kept only in memory would look stored to a repeated call.
        await state.WriteOrDeactivateAsync(this);

        if (S.Examples.Count >= MinExamples && S.Examples.Count >= S.TrainedOnExamples * 5 / 4 + 1)
        {
            await Train();
            await state.WriteOrDeactivateAsync(this);
        }
        if (S.Examples.Count >= MinExamples && S.Examples.Count > S.TrainedOnExamples)
        {
            // Once examples stop arriving (the end of a round, of the campaign), the model catches up with all of them.
            catchUp?.Dispose();
            catchUp = this.RegisterGrainTimer(CatchUp, CatchUpDelay, Timeout.InfiniteTimeSpan);
        }
    }

    async Task CatchUp(CancellationToken cancellation)
    {
        if (S.Examples.Count <= S.TrainedOnExamples) return;
        await Train();
        await state.WriteOrDeactivateAsync(this);
    }

    /// <summary>Trains a new version on every example, in key order so that the same examples always give the same forest.</summary>
    async Task Train()
    {
        var examples = S.Examples.OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new QualityExample(ToKernel(e.Value.Signals), e.Value.TrueIoU)).ToArray();
        var version = S.ModelVersion + 1;
        // The model's own score joins the paper's signals when every example has one (masks of the silo's SAM-family
        // models); masks from external models have none, and their campaigns rank by the paper's five signals.
        var options = new QualityModelOptions
        {
            FeatureSet = examples.All(e => e.Features.ModelScore is not null) ? QualityFeatureSet.PaperAndModelScore : QualityFeatureSet.Paper,
        };
        var (bytes, importances) = await Task.Run(() =>
        {
            using var model = QualityModel.Train(examples, version, options);
            using var buffer = new MemoryStream();
            model.Save(buffer);
            return (buffer.ToArray(), model.Importances.ToDictionary(i => i.Feature, i => i.Share, StringComparer.Ordinal));
        });
        S.Model = bytes;
        S.ModelVersion = version;
        S.TrainedOnExamples = examples.Length;
        S.Importances = importances;
        logger.LogInformation("Quality model {Version} of {CampaignId} trained on {Examples} rounds; importances {Importances}",
            version, this.GetPrimaryKeyString(), examples.Length, importances);
    }

    public Task<RankingModelSnapshot?> GetModel(int knownVersion) =>
        Task.FromResult(S.Model is { } model && S.ModelVersion > knownVersion ? new RankingModelSnapshot(S.ModelVersion, model) : null);

    public Task<RankingSummary> GetSummary() =>
        Task.FromResult(new RankingSummary(S.Examples.Count, S.ModelVersion, S.TrainedOnExamples, new Dictionary<string, double>(S.Importances)));

    public static QualityFeatures ToKernel(QualitySignals s) =>
        new(s.ClicksInRound, s.Round, s.MaskChangeIoU, s.MaxClickDistance, s.MeanClickDistance) { ModelScore = s.ModelScore };
}
