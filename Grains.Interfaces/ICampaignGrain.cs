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

    /// <summary>
    /// The campaign's answer counters the dashboard's figures are made from: totals, rounds by clicks, the seconds histogram
    /// and the one timeline kind that covers the campaign's span in at most 200 buckets.
    /// </summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<CampaignAnswerCounter>> GetAnswerCounters();

    /// <summary>Every annotator of the campaign with their quality figures and whether they are flagged, by id.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<AnnotatorQualitySummary>> GetAnnotatorQuality();

    /// <summary>The masks of the instances with a reference against it after each round, for all and per class, and the human agreement.</summary>
    [AlwaysInterleave]
    Task<ReferenceQualityReport> GetReferenceQuality();

    /// <summary>Makes sure the background model work of every shard is running (after a restart).</summary>
    Task ResumeBackgroundWork();

    /// <summary>Records that extra rounds up to <paramref name="round"/> may have work, so annotators look in their queues.</summary>
    Task OpenRoundsUpTo(int round);
}
