namespace Segmentation.Ranking;

/// <summary>One annotated instance as M_r sees it: its finished rounds in order, each with its mask's true IoU. The last one is the final mask.</summary>
public sealed record StudyInstance(string Id, IReadOnlyList<QualityExample> Rounds);

public sealed record RankingStudyOptions
{
    /// <summary>The share of instances whose ground truth trains M_r in each draw.</summary>
    public double GroundTruthFraction { get; init; } = 0.1;

    /// <summary>How many random ground-truth subsets are drawn.</summary>
    public int Draws { get; init; } = 50;

    public int Seed { get; init; } = 1;

    /// <summary>Below this many training rounds no model is trained (the backend's rule), and the draw counts as failed.</summary>
    public int MinTrainingExamples { get; init; } = 20;

    public QualityModelOptions Model { get; init; } = new();

    public void Validate()
    {
        if (!(GroundTruthFraction is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(GroundTruthFraction), GroundTruthFraction, "The ground-truth fraction must be in (0, 1).");
        ArgumentOutOfRangeException.ThrowIfLessThan(Draws, 1, nameof(Draws));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinTrainingExamples, 2 * Model.MinExamplesPerLeaf, nameof(MinTrainingExamples));
    }
}

/// <summary>
/// One draw: M_r trained on a random subset of instances, judged on the final masks of all others (<see cref="Model"/>;
/// null without a model, for too few training rounds). <see cref="ModelScoreAlone"/> ranks the same masks by the
/// segmentation model's own score, untrained (null when a held-out mask has no score).
/// </summary>
public sealed record RankingDraw(int Draw, int TrainingInstances, int TrainingExamples, int HeldOut, double AllMeanIoU, RankingQuality? Model, RankingQuality? ModelScoreAlone)
{
    public bool Trained => Model is not null;

    public double Spearman => Model?.Spearman ?? double.NaN;

    public IReadOnlyList<TopPercentPoint> Curve => Model?.Curve ?? [];

    /// <summary>How much the mean true IoU of the top <paramref name="percent"/>% by predicted IoU exceeds the mean of all (IoU units).</summary>
    public double TopPercentGain(int percent) => Model?.TopPercentGain(percent) ?? double.NaN;

    public double ModelScoreSpearman => ModelScoreAlone?.Spearman ?? double.NaN;

    /// <summary>The same gain for the ranking by the model's own score.</summary>
    public double ModelScoreTopPercentGain(int percent) => ModelScoreAlone?.TopPercentGain(percent) ?? double.NaN;
}

/// <summary>
/// How well M_r ranks a campaign's masks, and how much that depends on which instances happen to have ground truth:
/// for each of many random ground-truth subsets, train the forest on the subset's rounds and rank the final masks of the
/// other instances, as a campaign with that ground-truth fraction would.
/// </summary>
public static class RankingStudy
{
    public static IReadOnlyList<RankingDraw> Run(IReadOnlyList<StudyInstance> instances, RankingStudyOptions options, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var usable = instances.Where(i => i.Rounds.Count > 0).ToArray();
        if (usable.Length < 2) throw new ArgumentException($"At least 2 instances with a finished round are needed, got {usable.Length}.", nameof(instances));
        var trainingCount = Math.Clamp((int)Math.Round(usable.Length * options.GroundTruthFraction), 1, usable.Length - 1);

        var draws = new RankingDraw[options.Draws];
        for (var d = 0; d < options.Draws; d++)
        {
            var random = new Random(unchecked(options.Seed * 1_000_003 + d));
            var order = Enumerable.Range(0, usable.Length).ToArray();
            random.Shuffle(order);
            var isTraining = new bool[usable.Length];
            foreach (var i in order.Take(trainingCount)) isTraining[i] = true;
            draws[d] = Judge(d + 1, usable, isTraining, options);
            progress?.Report(d + 1);
        }
        return draws;
    }

    static RankingDraw Judge(int draw, StudyInstance[] instances, bool[] isTraining, RankingStudyOptions options)
    {
        var examples = instances.Where((_, i) => isTraining[i]).SelectMany(i => i.Rounds).ToArray();
        var heldOut = instances.Where((_, i) => !isTraining[i]).Select(i => i.Rounds[^1]).ToArray();
        var scoreAlone = heldOut.All(r => r.Features.ModelScore is not null)
            ? RankingMetrics.Quality(heldOut.Select(r => (r.Features.ModelScore!.Value, r.TrueIoU)).ToArray())
            : null;
        RankingQuality? trained = null;
        if (examples.Length >= options.MinTrainingExamples)
        {
            using var model = QualityModel.Train(examples, version: 1, options.Model);
            trained = RankingMetrics.Quality(heldOut.Select(r => (model.Predict(r.Features), r.TrueIoU)).ToArray());
        }
        return new RankingDraw(draw, isTraining.Count(t => t), examples.Length, heldOut.Length, heldOut.Average(r => r.TrueIoU), trained, scoreAlone);
    }
}
