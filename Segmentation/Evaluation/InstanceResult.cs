using Segmentation.Masks;
using Segmentation.Models;
using Segmentation.Ranking;

namespace Segmentation.Evaluation;

/// <summary>
/// One instance's trajectory. Step 0 is the first prediction (M_b for rounds, the first click for NoC);
/// step i is after round i (rounds) or click i+1 (NoC).
/// </summary>
public sealed record InstanceResult(
    string Id,
    IReadOnlyList<double> IoU,
    IReadOnlyList<double> BoundaryF,
    IReadOnlyList<int> ClicksPerStep,
    BoxF? Box,
    IReadOnlyList<ModelCallTiming> Calls)
{
    /// <summary>
    /// Rounds protocol: per finished round (with clicks, or the first one accepted with none), the quality signals
    /// M_r sees (with the model's score of the mask) and the mask's true IoU. The last entry describes the final mask.
    /// </summary>
    public IReadOnlyList<RoundQuality> Quality { get; init; } = [];

    /// <summary>Per step, how many of the clicks given so far the mask disagrees with (<see cref="ClickAgreement"/>).</summary>
    public IReadOnlyList<int> ClickViolations { get; init; } = [];

    /// <summary>With <see cref="ProtocolSettings.JudgedChoice"/>: per model call, which answer the judge chose (<see cref="JudgedPrediction.Pick"/>).</summary>
    public IReadOnlyList<string> JudgedPicks { get; init; } = [];

    /// <summary>With <see cref="ProtocolSettings.JudgedChoice"/>: per model call, every answer the judge scored, the runner's own first (empty for calls without a previous mask).</summary>
    public IReadOnlyList<IReadOnlyList<JudgedOption>> JudgedOptions { get; init; } = [];

    /// <summary>The object's area as a fraction of the image's (ground truth).</summary>
    public double ObjectAreaFraction { get; init; }

    public int TotalClicks => ClicksPerStep.Sum();

    /// <summary>The largest drop of IoU from one step to the next (0 when it never drops).</summary>
    public double LargestStepLoss() =>
        Enumerable.Range(1, Math.Max(0, IoU.Count - 1)).Select(i => IoU[i - 1] - IoU[i]).DefaultIfEmpty(0).Max() is var loss && loss > 0 ? loss : 0;

    /// <summary>Clicks needed to reach <paramref name="threshold"/> (NoC protocol), or the limit when never reached.</summary>
    public int ClicksToReach(double threshold, int limit)
    {
        var clicks = 0;
        for (var i = 0; i < IoU.Count; i++)
        {
            clicks += ClicksPerStep[i];
            if (IoU[i] >= threshold) return Math.Min(clicks, limit);
        }
        return limit;
    }

    public bool Reached(double threshold) => IoU.Any(v => v >= threshold);
}

/// <summary>One finished round as M_r sees it, with the areas in pixels of the previous and the new mask.</summary>
public sealed record RoundQuality(QualityExample Example, long PreviousMaskArea, long MaskArea);
