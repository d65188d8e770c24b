namespace Segmentation.Quality;

/// <summary>The mask an instance had after <see cref="Round"/>, scored against its reference.</summary>
public sealed record ReferenceScore(string InstanceId, string ClassName, int Round, double IoU, double BoundaryF);

/// <summary>The instances with a reference, their mean IoU and mean boundary F after one round.</summary>
public sealed record RoundQuality(int Round, int Instances, double MeanIoU, double MeanBoundaryF);

public sealed record ClassQuality(string ClassName, int Instances, IReadOnlyList<RoundQuality> Rounds);

/// <summary>
/// The campaign's masks against the references, round by round: after round r an instance counts with its latest mask
/// of a round up to r (an accepted mask stays the instance's mask in later rounds), from the first round it has a mask.
/// </summary>
public static class ReferenceReport
{
    public static IReadOnlyList<RoundQuality> ByRound(IReadOnlyList<ReferenceScore> scores, int lastRound)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentOutOfRangeException.ThrowIfNegative(lastRound);
        var byInstance = scores.GroupBy(s => s.InstanceId, StringComparer.Ordinal).Select(g => g.OrderBy(s => s.Round).ToArray()).ToArray();
        var rounds = new List<RoundQuality>(lastRound + 1);
        for (var round = 0; round <= lastRound; round++)
        {
            var current = byInstance.Select(s => s.LastOrDefault(x => x.Round <= round)).OfType<ReferenceScore>().ToArray();
            if (current.Length == 0) continue;
            rounds.Add(new RoundQuality(round, current.Length, current.Average(s => s.IoU), current.Average(s => s.BoundaryF)));
        }
        return rounds;
    }

    public static IReadOnlyList<ClassQuality> ByClass(IReadOnlyList<ReferenceScore> scores, int lastRound) =>
        scores.GroupBy(s => s.ClassName, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ClassQuality(g.Key, g.Select(s => s.InstanceId).Distinct(StringComparer.Ordinal).Count(), ByRound(g.ToArray(), lastRound)))
            .ToArray();
}
