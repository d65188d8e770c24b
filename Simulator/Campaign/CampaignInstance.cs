using System.Globalization;
using Segmentation.Evaluation.Datasets;
using Segmentation.Masks;
using Segmentation.Simulation;

namespace Simulator.Campaign;

/// <summary>One simulated answer: the clicks for a round and the submission id they are sent with.</summary>
/// <param name="Repeat">
/// A task for a round already answered and acknowledged: the server's gold task (it shows round 1 again). Its clicks are
/// drawn from a stream of their own and it leaves the instance's record alone.
/// </param>
public sealed record PlannedAnswer(int Round, string SubmissionId, IReadOnlyList<Click> Clicks, bool Repeat = false);

/// <summary>
/// A dataset instance imported into the campaign: its COCO annotation id (the campaign instance id), the
/// noisy box and the random stream of the simulated annotator, which it keeps for the whole campaign.
/// </summary>
/// <remarks>
/// The stream is <c>GaussianRandom.ForInstance(seed, dataset id)</c>; the box was drawn from it first and each
/// round's clicks follow, as in <c>Protocols.RunRounds</c>. An instance's rounds come one after another, so with
/// any number of annotators the clicks are the same as with one. Answers are kept per round: a task handed out
/// again (an expired lease) is answered with the same clicks and submission id without drawing anew. The ground
/// truth is kept run-length encoded and decoded per use, so a large campaign does not hold every mask in memory.
/// </remarks>
public sealed class CampaignInstance
{
    private readonly Lock gate = new();
    private readonly RleMask truth;
    private readonly RleMask? ignore;
    private readonly Random rng;
    private readonly Dictionary<int, PlannedAnswer> answers = [];
    private readonly HashSet<int> acknowledged = [];
    private int repeats;
    private bool finished;

    internal CampaignInstance(
        long annotationId, EvaluationInstance source, long imageId, string fileName, InstanceTruth groundTruth, BoxF box, Random rng, int rounds,
        int extraRounds = 0)
    {
        AnnotationId = annotationId;
        Source = source;
        ImageId = imageId;
        FileName = fileName;
        Width = groundTruth.Mask.Width;
        Height = groundTruth.Mask.Height;
        Box = box;
        truth = RleMask.FromMask(groundTruth.Mask);
        ignore = groundTruth.Ignore is null ? null : RleMask.FromMask(groundTruth.Ignore);
        this.rng = rng;
        Trajectory = new InstanceTrajectory(rounds, extraRounds);
    }

    /// <summary>The COCO annotation id of the import.</summary>
    public long AnnotationId { get; }

    /// <summary>The campaign's instance id: the annotation id as a string.</summary>
    public string InstanceId => AnnotationId.ToString(CultureInfo.InvariantCulture);

    public EvaluationInstance Source { get; }

    /// <summary>The dataset's instance id (the eval command's id), which seeds the random stream.</summary>
    public string Name => Source.Id;

    public long ImageId { get; }

    /// <summary>The image relative to the image folder, with '/' separators.</summary>
    public string FileName { get; }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The simulated annotator's noisy box.</summary>
    public BoxF Box { get; }

    /// <summary>Guarded by the instance's lock; read it after the campaign.</summary>
    public InstanceTrajectory Trajectory { get; }

    public InstanceTruth LoadTruth() => new(truth.ToMask(), ignore?.ToMask());

    /// <summary>
    /// Returns the answer of round <paramref name="round"/> (a regular round 1..R or an extra round up to
    /// <see cref="InstanceTrajectory.LastRound"/>): the simulated corrective clicks for <paramref name="current"/>
    /// (none when the mask is good enough), drawn once per round from the instance's stream. For a regular round,
    /// also records <paramref name="current"/> as the mask after round <paramref name="round"/> - 1.
    /// </summary>
    /// <param name="careless">
    /// Answer as a careless annotator: as many clicks as a careful one would give, at random inside the box
    /// (<see cref="CarelessClicks"/>).
    /// </param>
    public PlannedAnswer Answer(int round, BinaryMask current, int maxClicks, ClickSimulator simulator, bool careless = false)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentOutOfRangeException.ThrowIfLessThan(round, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(round, Trajectory.LastRound);
        var groundTruth = LoadTruth();
        if (current.Width != Width || current.Height != Height)
            throw new CampaignFailedException(
                $"Instance {InstanceId} ({Name}): the server's mask for round {round} is {current.Width}x{current.Height}, the image is {Width}x{Height} (w x h).");
        var regular = round <= Trajectory.Rounds;
        var iou = regular ? MaskMetrics.IoU(current, groundTruth.Mask, groundTruth.Ignore) : double.NaN;
        lock (gate)
        {
            if (regular) Trajectory.RecordMask(round - 1, iou);
            if (acknowledged.Contains(round))
            {
                // The real rounds never ask an acknowledged round again: this is a gold task.
                var repeatRng = new Random(unchecked((int)AnnotationId * 7919 + round * 31 + ++repeats));
                var repeatClicks = simulator.CorrectiveClicks(groundTruth.Mask, current, maxClicks, repeatRng, groundTruth.Ignore);
                if (careless) repeatClicks = CarelessClicks.Draw(Box, current, repeatClicks.Count, repeatRng);
                return new PlannedAnswer(round, Guid.NewGuid().ToString(), repeatClicks, Repeat: true);
            }
            if (answers.TryGetValue(round, out var earlier)) return earlier;
            var clicks = simulator.CorrectiveClicks(groundTruth.Mask, current, maxClicks, rng, groundTruth.Ignore);
            if (careless) clicks = CarelessClicks.Draw(Box, current, clicks.Count, rng);
            var answer = new PlannedAnswer(round, Guid.NewGuid().ToString(), clicks);
            answers[round] = answer;
            return answer;
        }
    }

    /// <summary>Records a submitted answer; true when it finished the instance (the first time). A repeat is not recorded.</summary>
    public bool Submitted(PlannedAnswer answer, string outcome)
    {
        lock (gate)
        {
            if (answer.Repeat) return false;
            acknowledged.Add(answer.Round);
            Trajectory.RecordAnswer(answer.Round, answer.Clicks.Count);
            var done = outcome == "skipped" || outcome == "accepted" || answer.Clicks.Count == 0 || answer.Round >= Trajectory.Rounds;
            if (!done || finished) return false;
            finished = true;
            return true;
        }
    }

    /// <summary>Extra rounds answered and the clicks submitted in them.</summary>
    public (int Rounds, int Clicks) ExtraResults()
    {
        lock (gate) return (Trajectory.ExtraRoundsAnswered, Trajectory.ExtraClicks);
    }

    /// <summary>IoU per round and clicks per round, given the exported mask's IoU.</summary>
    public (IReadOnlyList<double?> IoU, IReadOnlyList<int> Clicks) Results(double? exportIoU)
    {
        lock (gate) return (Trajectory.IoUPerRound(exportIoU), Trajectory.ClicksPerRound);
    }
}
