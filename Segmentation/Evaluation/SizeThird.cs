namespace Segmentation.Evaluation;

/// <summary>
/// The run's instances split into thirds by the object's area relative to its image (small, medium, large), each
/// with the figures that decide whether a runner's extra helps or hurts objects of that size.
/// </summary>
public sealed record SizeThird(
    string Name,
    int Instances,
    double MinAreaFraction,
    double MaxAreaFraction,
    IReadOnlyList<double> MeanIoUPerStep,
    double? Noc90,
    int? Nof90,
    int LosingOver5Points)
{
    public static IReadOnlyList<SizeThird> Split(IReadOnlyList<InstanceResult> instances, ProtocolSettings settings)
    {
        var sorted = instances.OrderBy(r => r.ObjectAreaFraction).ThenBy(r => r.Id, StringComparer.Ordinal).ToArray();
        string[] names = ["small", "medium", "large"];
        var thirds = new List<SizeThird>(3);
        for (var t = 0; t < 3; t++)
        {
            var from = sorted.Length * t / 3;
            var to = sorted.Length * (t + 1) / 3;
            var group = sorted[from..to];
            if (group.Length == 0) continue;
            var steps = group.Min(r => r.IoU.Count);
            var noc = settings.Kind == ProtocolKind.Noc;
            thirds.Add(new SizeThird(
                names[t],
                group.Length,
                group[0].ObjectAreaFraction,
                group[^1].ObjectAreaFraction,
                Enumerable.Range(0, steps).Select(s => group.Average(r => r.IoU[s])).ToArray(),
                noc ? group.Average(r => r.ClicksToReach(0.90, settings.MaxNocClicks)) : null,
                noc ? group.Count(r => !r.Reached(0.90)) : null,
                group.Count(r => r.LargestStepLoss() > 0.05)));
        }
        return thirds;
    }
}
