using Orleans.Concurrency;

namespace Grains.Interfaces;

/// <summary>
/// A campaign (key: campaign id): settings and lifecycle Draft -> Importing -> Running &lt;-> Paused -> Finished.
/// Progress is pulled on request from the per-round, per-shard work queues; no per-click traffic passes here.
/// </summary>
public interface ICampaignGrain : IGrainWithStringKey
{
    /// <summary>Creates the campaign in Draft. Repeating it with the same settings is a no-op.</summary>
    Task<CampaignInfo> Create(CampaignSettings settings);

    /// <summary>Replaces the settings; only in Draft.</summary>
    Task<CampaignInfo> UpdateSettings(CampaignSettings settings);

    Task<CampaignInfo> BeginImport();

    /// <summary>Creates instance grains with the campaign's rounds, clicks and shards; only while Importing.</summary>
    Task<ImportResult> ImportInstances(IReadOnlyList<InstanceImport> instances);

    Task<CampaignInfo> Start();
    Task<CampaignInfo> Pause();
    Task<CampaignInfo> Resume();
    Task<CampaignInfo> Finish();

    [AlwaysInterleave]
    Task<CampaignInfo> GetInfo();

    /// <summary>Per annotation round, the sums over that round's work queue shards, and the model work of all shards.</summary>
    [AlwaysInterleave]
    Task<CampaignProgress> GetProgress();

    /// <summary>Records that an annotator took work in this campaign (for the per-campaign statistics list).</summary>
    Task RegisterAnnotator(string annotatorId);

    Task<IReadOnlyList<string>> GetAnnotators();

    /// <summary>Per annotator who took work here, the running totals of their answers in this campaign.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<AnnotatorCampaignStatistics>> GetAnnotatorStatistics();

    /// <summary>
    /// Instances by image path, then import order, after <paramref name="after"/>, optionally only those of one status, read
    /// from the instance table (no instance grain is activated).
    /// </summary>
    [AlwaysInterleave]
    Task<InstancePage> GetInstances(InstanceCursor? after, int take, InstanceStatus? status);

    /// <summary>Where an instance is in the order of <see cref="GetInstances"/> (to continue after it); null when it does not exist.</summary>
    [AlwaysInterleave]
    Task<InstanceCursor?> GetCursor(string instanceId);

    /// <summary>The campaign's answers in time order, after <paramref name="after"/>, at most <paramref name="take"/>.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<AnnotatorHistoryEntry>> GetAnswers(AnnotatorHistoryEntry? after, int take);

    /// <summary>Makes sure the background model work of every shard is running (after a restart).</summary>
    Task ResumeBackgroundWork();

    /// <summary>Records that extra rounds up to <paramref name="round"/> may have work, so annotators look in their queues.</summary>
    Task OpenRoundsUpTo(int round);
}

[GenerateSerializer, Alias("CampaignStatus")]
public enum CampaignStatus
{
    None = 0,
    Draft = 1,
    Importing = 2,
    Running = 3,
    Paused = 4,
    Finished = 5,
}

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

    public bool Equals(CampaignSettings? other) =>
        other is not null && Rounds == other.Rounds && MaxClicksPerRound == other.MaxClicksPerRound
        && MinClickRegionPixels == other.MinClickRegionPixels && ModelName == other.ModelName
        && ShardCount == other.ShardCount && LeaseDuration == other.LeaseDuration && ImageRoot == other.ImageRoot && GroundTruthFraction == other.GroundTruthFraction
        && ReprioritizeBelowIoU == other.ReprioritizeBelowIoU
        && ClassPolicies.Count == other.ClassPolicies.Count
        && ClassPolicies.All(p => other.ClassPolicies.TryGetValue(p.Key, out var v) && v == p.Value);

    public override int GetHashCode() => HashCode.Combine(Rounds, MaxClicksPerRound, MinClickRegionPixels, ModelName, ShardCount, LeaseDuration, ClassPolicies.Count);
}

/// <param name="HighestRound">The highest round that may have work: the settings' rounds, or more once extra rounds were granted.</param>
[GenerateSerializer, Immutable, Alias("CampaignInfo")]
public sealed record CampaignInfo(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] CampaignStatus Status,
    [property: Id(2)] CampaignSettings Settings,
    [property: Id(3)] int ImportedInstances,
    [property: Id(4)] int HighestRound);

[GenerateSerializer, Immutable, Alias("InstanceImport")]
public sealed record InstanceImport(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] string ImagePath,
    [property: Id(2)] int ImageWidth,
    [property: Id(3)] int ImageHeight,
    [property: Id(4)] BoxD Box,
    [property: Id(5)] string ClassName,
    [property: Id(6)] int Priority = 0,
    [property: Id(7)] MaskRle? GroundTruth = null);

[GenerateSerializer, Immutable, Alias("ImportRejection")]
public sealed record ImportRejection(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] string Code,
    [property: Id(2)] string Field,
    [property: Id(3)] string Message);

[GenerateSerializer, Immutable, Alias("ImportResult")]
public sealed record ImportResult(
    [property: Id(0)] int Created,
    [property: Id(1)] int AlreadyPresent,
    [property: Id(2)] IReadOnlyList<ImportRejection> Rejected);

[GenerateSerializer, Immutable, Alias("RoundProgress")]
public sealed record RoundProgress(
    [property: Id(0)] int Round,
    [property: Id(1)] int Waiting,
    [property: Id(2)] int Leased,
    [property: Id(3)] int Corrected,
    [property: Id(4)] int Accepted,
    [property: Id(5)] int Skipped,
    [property: Id(6)] long ExpiredLeases);

[GenerateSerializer, Immutable, Alias("CampaignProgress")]
public sealed record CampaignProgress(
    [property: Id(0)] string CampaignId,
    [property: Id(1)] CampaignStatus Status,
    [property: Id(2)] int ImportedInstances,
    [property: Id(3)] IReadOnlyList<RoundProgress> Rounds,
    [property: Id(4)] ModelWorkSummary Model,
    [property: Id(5)] int Done,
    [property: Id(6)] int Skipped,
    [property: Id(7)] ExtraRoundsSummary? Extra = null)
{
    /// <summary>Instances that have not finished their regular rounds.</summary>
    public int Remaining => Math.Max(0, ImportedInstances - Done - Skipped);

    /// <summary>Every imported instance is done or skipped, and no extra-click budget is still being spent.</summary>
    public bool Complete => ImportedInstances > 0 && Remaining == 0 && Extra is not { Active: true };
}

[GenerateSerializer, Immutable, Alias("AnnotatorCampaignStatistics")]
public sealed record AnnotatorCampaignStatistics(
    [property: Id(0)] string AnnotatorId,
    [property: Id(1)] AnnotatorStatistics Statistics);
