using Grains.Interfaces;
using Grains.Store;
using Microsoft.Extensions.Logging;
using Segmentation.Campaigns;
using Segmentation.Quality;
using Orleans.Serialization;

namespace Grains;

[GenerateSerializer, Alias("CampaignState")]
public sealed class CampaignState
{
    [Id(0)] public CampaignStatus Status { get; set; }

    [Id(1)] public CampaignSettings Settings { get; set; } = new();

    /// <summary>The highest extra round granted so far (0 = none).</summary>
    [Id(4)] public int HighestExtraRound { get; set; }
}

/// <summary>
/// A campaign's settings and lifecycle. Its instances are rows of the campaign tables, written in bulk by
/// <see cref="ImportInstances"/>; the imported count lives with them, so it is exact after a crash mid-import.
/// </summary>
public sealed class CampaignGrain(
    [PersistentState("campaign", StorageNames.Annotation)] IPersistentState<CampaignState> state,
    ICampaignStore store,
    Serializer<InstanceState> instanceSerializer,
    ILogger<CampaignGrain> logger)
    : Grain, ICampaignGrain
{
    public const int MaxImportBatch = 5000;
    static readonly TimeSpan ResumeRetryDelay = TimeSpan.FromSeconds(5);

    long imported;
    IGrainTimer? resuming;

    CampaignState S => state.State;
    string CampaignId => this.GetPrimaryKeyString();

    public async Task<CampaignInfo> Create(CampaignSettings settings)
    {
        if (!AnnotationKeys.IsValidId(CampaignId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "campaignId", $"'{CampaignId}' is not a valid campaign id.");
        ValidateSettings(settings);
        if (S.Status != CampaignStatus.None)
        {
            if (S.Settings == settings)
            {
                // A repeated create: the first may have stopped before the directory heard of the campaign.
                await GrainFactory.GetGrain<ICampaignDirectoryGrain>(0).Add(CampaignId);
                return Info();
            }
            throw new AnnotationRejectedException(RejectionCodes.InvalidTransition, "status",
                $"Campaign {CampaignId} already exists ({S.Status}) with other settings.");
        }
        S.Settings = settings;
        S.Status = CampaignStatus.Draft;
        await state.WriteOrDeactivateAsync(this);
        await GrainFactory.GetGrain<ICampaignDirectoryGrain>(0).Add(CampaignId);
        return Info();
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Status == CampaignStatus.None) return;
        imported = await store.ImportedCount(CampaignId);
        // Not awaited here: a model work shard on a silo that has just died (and is not declared dead yet) would hold the
        // activation, and with it every annotator's call to the campaign, until the cluster notices.
        if (S.Status is CampaignStatus.Importing or CampaignStatus.Running or CampaignStatus.Paused) ResumeSoon(TimeSpan.Zero);
    }

    void ResumeSoon(TimeSpan delay)
    {
        resuming?.Dispose();
        resuming = this.RegisterGrainTimer(async _ =>
        {
            try
            {
                await ResumeBackgroundWork();
                resuming?.Dispose();
                resuming = null;
            }
            catch (Exception ex) when (TransientFailures.IsTransient(ex))
            {
                logger.LogWarning(ex, "Resuming the model work of campaign {CampaignId} failed; trying again in {Delay}", CampaignId, ResumeRetryDelay);
                ResumeSoon(ResumeRetryDelay);
            }
        }, new GrainTimerCreationOptions { DueTime = delay, Period = Timeout.InfiniteTimeSpan, Interleave = true });
    }

    public async Task ResumeBackgroundWork()
    {
        if (S.Status == CampaignStatus.None) return;
        await Task.WhenAll(Enumerable.Range(0, S.Settings.ShardCount).Select(shard =>
            GrainFactory.GetGrain<IModelWorkGrain>(AnnotationKeys.CampaignShard(CampaignId, shard)).Resume()));
    }

    public async Task RegisterAnnotator(string annotatorId)
    {
        if (!AnnotationKeys.IsValidId(annotatorId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(annotatorId), $"'{annotatorId}' is not a valid annotator id.");
        if (S.Status == CampaignStatus.None)
            throw new AnnotationRejectedException(RejectionCodes.NotInitialized, "campaignId", $"Campaign {CampaignId} does not exist.");
        await store.EnsureAnnotator(CampaignId, annotatorId);
    }

    public async Task<IReadOnlyList<AnnotatorCampaignStatistics>> GetAnnotatorStatistics() =>
        (await store.CampaignAnnotators(CampaignId)).Select(t => new AnnotatorCampaignStatistics(t.AnnotatorId, AnnotatorGrain.Statistics([t]))).ToArray();

    public const int MaxInstancePage = 2000;

    bool answersBackfilled;

    public async Task<InstanceCursor?> GetCursor(string instanceId)
    {
        if (!AnnotationKeys.IsValidId(instanceId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(instanceId), $"'{instanceId}' is not a valid instance id.");
        return await store.ReadInstance(CampaignId, instanceId) is { } row ? new InstanceCursor(row.ImagePath, row.Seq) : null;
    }

    public async Task<InstancePage> GetInstances(InstanceCursor? after, int take, InstanceStatus? status)
    {
        if (take is < 1 or > MaxInstancePage)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(take), $"take {take} is outside [1, {MaxInstancePage}].");
        if (status is { } st && !Enum.IsDefined(st))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(status), $"Unknown status {st}.");
        var rows = await store.InstancePage(CampaignId, after is null ? null : new InstancePageCursor(after.ImagePath, after.Sequence), take, (int?)status);
        var items = rows.Select(r => InstanceRowStorage.Decode(r.State, instanceSerializer).View(AnnotationKeys.Instance(CampaignId, r.InstanceId), DateTimeOffset.UtcNow)).ToArray();
        return new InstancePage(items, rows.Count < take ? null : new InstanceCursor(rows[^1].ImagePath, rows[^1].Seq));
    }

    public async Task<IReadOnlyList<AnnotatorQualitySummary>> GetAnnotatorQuality()
    {
        var totals = await store.CampaignAnnotators(CampaignId);
        var quality = (await store.AnnotatorQuality(CampaignId)).ToDictionary(q => q.AnnotatorId, StringComparer.Ordinal);
        var flagged = QualityOutliers.Flag(quality.Values
                .Where(q => q.JudgedClicks > 0)
                .Select(q => (q.AnnotatorId, (int)Math.Min(int.MaxValue, q.JudgedClicks), 1 - (double)q.WrongPolarityClicks / q.JudgedClicks)).ToArray())
            .ToHashSet(StringComparer.Ordinal);
        var gold = (await store.AnnotatorGold(CampaignId)).ToDictionary(g => g.AnnotatorId, StringComparer.Ordinal);
        var predicted = (await store.PredictedGains(CampaignId)).ToDictionary(p => p.AnnotatorId, StringComparer.Ordinal);
        return totals.Select(t =>
        {
            var q = quality.GetValueOrDefault(t.AnnotatorId);
            var g = gold.GetValueOrDefault(t.AnnotatorId);
            var p = predicted.GetValueOrDefault(t.AnnotatorId);
            return new AnnotatorQualitySummary(t.AnnotatorId, t.Answers, t.Skipped, t.Answers == 0 ? null : t.Seconds / t.Answers,
                q?.JudgedClicks ?? 0, Share(q?.JudgedClicks - q?.WrongPolarityClicks, q?.JudgedClicks),
                q?.FirstClicksJudged ?? 0, Share(q?.FirstClicksCorrecting, q?.FirstClicksJudged),
                q?.AcceptedWithReference ?? 0, Share(q?.AcceptedBad, q?.AcceptedWithReference),
                flagged.Contains(t.AnnotatorId),
                q?.GainRounds ?? 0, q is { GainClicks: > 0 } ? q.GainSum / q.GainClicks : null,
                g?.Answers ?? 0, g?.Skips ?? 0, g is { GainClicks: > 0 } ? g.GainSum / g.GainClicks : null,
                p.Rounds, p.Clicks > 0 ? p.GainSum / p.Clicks : null);
        }).ToArray();

        static double? Share(long? part, long? whole) => whole is > 0 ? (double)part!.Value / whole.Value : null;
    }

    /// <summary>The dashboard asks every few seconds; the report reads a row per reference instance and round, so it is kept this long.</summary>
    static readonly TimeSpan ReferenceReportLifetime = TimeSpan.FromSeconds(15);

    (ReferenceQualityReport Report, DateTime At)? referenceReport;

    public async Task<ReferenceQualityReport> GetReferenceQuality()
    {
        if (referenceReport is { } kept && DateTime.UtcNow - kept.At < ReferenceReportLifetime) return kept.Report;
        var report = await BuildReferenceQuality();
        referenceReport = (report, DateTime.UtcNow);
        return report;
    }

    async Task<ReferenceQualityReport> BuildReferenceQuality()
    {
        var scores = await store.ReferenceScores(CampaignId);
        var lastRound = scores.Count == 0 ? 0 : Math.Max(S.Settings.Rounds, scores.Max(s => s.Round));
        var agreements = await store.PaintingAgreements(CampaignId);
        return new ReferenceQualityReport(
            scores.Select(s => s.InstanceId).Distinct(StringComparer.Ordinal).Count(),
            ReferenceReport.ByRound(scores, lastRound).Select(Wire).ToArray(),
            ReferenceReport.ByClass(scores, lastRound).Select(c => new ClassReferenceQuality(c.ClassName, c.Instances, c.Rounds.Select(Wire).ToArray())).ToArray(),
            agreements.Count == 0 ? null : new HumanAgreement(agreements.Count, agreements.Average(a => a.IoU), agreements.Average(a => a.BoundaryF)));

        static ReferenceRoundQuality Wire(RoundQuality r) => new(r.Round, r.Instances, r.MeanIoU, r.MeanBoundaryF);
    }

    public async Task<IReadOnlyList<CampaignAnswerCounter>> GetAnswerCounters()
    {
        if (!answersBackfilled)
        {
            // Once per campaign (the store keeps a marker): answers stored by a version without counters are counted now.
            var rounds = S.Settings.Rounds;
            await store.BackfillAnswerCounters(CampaignId,
                a => AnswerCounters.Of(a.Round, a.Clicks, a.Skipped, a.Seconds, new DateTimeOffset(a.AtTicks, TimeSpan.Zero), rounds));
            answersBackfilled = true;
        }
        var counters = (await store.AnswerCounters(CampaignId,
            [AnswerCounterKind.Total, AnswerCounterKind.RoundClicks, AnswerCounterKind.SecondsBucket])).ToList();
        if (counters.FirstOrDefault(c => c.Kind == AnswerCounterKind.Total) is { Answers: > 0 } total)
            counters.AddRange(await store.AnswerCounters(CampaignId,
                [AnswerCounters.TimelineKind(total.FirstAtTicks, total.LastAtTicks, AnswerStatistics.MaxTimelineBuckets)]));
        return counters.Select(c => new CampaignAnswerCounter((int)c.Kind, c.K1, c.K2, c.Answers, c.Finished, c.Seconds, c.FirstAtTicks, c.LastAtTicks))
            .ToArray();
    }

    public async Task<CampaignInfo> UpdateSettings(CampaignSettings settings)
    {
        ValidateSettings(settings);
        RequireStatus("update settings", CampaignStatus.Draft);
        S.Settings = settings;
        await state.WriteOrDeactivateAsync(this);
        return Info();
    }

    public Task<CampaignInfo> BeginImport() => Move(CampaignStatus.Importing, CampaignStatus.Draft);
    public Task<CampaignInfo> Start() => Move(CampaignStatus.Running, CampaignStatus.Importing);
    public Task<CampaignInfo> Pause() => Move(CampaignStatus.Paused, CampaignStatus.Running);
    public Task<CampaignInfo> Resume() => Move(CampaignStatus.Running, CampaignStatus.Paused);
    public Task<CampaignInfo> Finish() => Move(CampaignStatus.Finished, CampaignStatus.Running, CampaignStatus.Paused);

    public async Task<ImportResult> ImportInstances(IReadOnlyList<InstanceImport> instances)
    {
        RequireStatus("import instances", CampaignStatus.Importing);
        if (instances is null || instances.Count > MaxImportBatch)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(instances),
                $"Send between 0 and {MaxImportBatch} instances per call.");

        var settings = S.Settings;
        var rejected = new List<ImportRejection>();
        var wanted = new Dictionary<string, InstanceState>(StringComparer.Ordinal);
        var rows = new List<NewInstance>(instances.Count);
        var repeated = 0;
        foreach (var item in instances)
        {
            try
            {
                if (item is null) throw new AnnotationRejectedException(RejectionCodes.Invalid, "instanceId", "Invalid instance id.");
                var spec = new InstanceSpec(item.ImagePath, item.ImageWidth, item.ImageHeight, item.Box, item.ClassName,
                    settings.Rounds, settings.MaxClicksPerRound, settings.ShardCount, item.Priority, settings.ModelName,
                    settings.ImageRoot, settings.GroundTruthFraction, settings.ReprioritizeBelowIoU, settings.ReferenceFraction,
                    settings.DoublePaintingFraction);
                InstanceSpecRules.Validate(item.InstanceId, spec, item.GroundTruth);
                var initial = InstanceState.Imported(spec, item.GroundTruth);
                if (wanted.TryGetValue(item.InstanceId, out var earlier))
                {
                    if (!SameImport(earlier, initial))
                        throw new AnnotationRejectedException(RejectionCodes.AlreadyInitialized, "spec", $"Instance {item.InstanceId} appears twice with different specs.");
                    repeated++;
                    continue;
                }
                wanted[item.InstanceId] = initial;
                rows.Add(new NewInstance(item.InstanceId, ShardMap.ShardOf(item.InstanceId, settings.ShardCount), spec.ImagePath,
                    (int)initial.Status, 0, instanceSerializer.SerializeToArray(initial)));
            }
            catch (AnnotationRejectedException e)
            {
                rejected.Add(new ImportRejection(item?.InstanceId ?? "", e.Code, e.Field, e.Message));
            }
        }

        var result = await store.InsertInstances(CampaignId, rows);
        var present = repeated;
        foreach (var stored in result.AlreadyStored)
        {
            var current = InstanceRowStorage.Decode(stored.State, instanceSerializer);
            if (SameImport(current, wanted[stored.InstanceId])) present++;
            else rejected.Add(new ImportRejection(stored.InstanceId, RejectionCodes.AlreadyInitialized, "spec",
                $"Instance {AnnotationKeys.Instance(CampaignId, stored.InstanceId)} already exists with a different spec."));
        }
        imported += result.Created;
        // The rows are durable; the model work shards pick new ones up from their cursors. Also for a repeated batch (nothing
        // created): the first may have stopped before the shards were told.
        if (rows.Count > 0)
            await Task.WhenAll(rows.Select(r => r.Shard).Distinct().Select(shard =>
                GrainFactory.GetGrain<IModelWorkGrain>(AnnotationKeys.CampaignShard(CampaignId, shard)).Resume()));
        return new ImportResult(result.Created, present, rejected);
    }

    static bool SameImport(InstanceState a, InstanceState b) => a.Spec == b.Spec && a.GroundTruth == b.GroundTruth;

    public Task<CampaignInfo> GetInfo() => Task.FromResult(Info());

    public async Task<CampaignProgress> GetProgress()
    {
        var settings = S.Settings;
        var rounds = new List<RoundProgress>();
        var model = new ModelWorkSummary(0, 0, 0, new Dictionary<int, int>(), []);
        if (S.Status != CampaignStatus.None)
        {
            var shardSummaries = await Task.WhenAll(Enumerable.Range(0, settings.ShardCount).Select(shard =>
                GrainFactory.GetGrain<IModelWorkGrain>(AnnotationKeys.CampaignShard(CampaignId, shard)).GetSummary()));
            var byRound = new Dictionary<int, int>();
            foreach (var summary in shardSummaries)
                foreach (var (round, count) in summary.CompletedByRound) byRound[round] = byRound.GetValueOrDefault(round) + count;
            model = new ModelWorkSummary(shardSummaries.Sum(m => m.Pending), shardSummaries.Sum(m => m.Completed),
                shardSummaries.Sum(m => m.Failed), byRound, shardSummaries.SelectMany(m => m.RecentErrors).Take(10).ToArray());
            var perRound = Enumerable.Range(1, settings.Rounds).Select(async round =>
            {
                var shards = await Task.WhenAll(Enumerable.Range(0, settings.ShardCount).Select(shard =>
                    GrainFactory.GetGrain<IWorkQueueGrain>(AnnotationKeys.WorkQueue(CampaignId, round, shard)).GetSummary()));
                return new RoundProgress(round,
                    shards.Sum(s => s.Waiting), shards.Sum(s => s.Leased), shards.Sum(s => s.Corrected),
                    shards.Sum(s => s.Accepted), shards.Sum(s => s.Skipped), shards.Sum(s => s.ExpiredLeases));
            });
            rounds.AddRange(await Task.WhenAll(perRound));
        }
        // An instance is done when it was accepted with zero clicks in some round, or got the mask of the last round.
        var done = rounds.Sum(r => r.Accepted) + model.CompletedByRound.GetValueOrDefault(settings.Rounds);
        var extra = S.Status == CampaignStatus.None ? null : await GrainFactory.GetGrain<IExtraRoundsGrain>(CampaignId).GetSummary();
        return new CampaignProgress(CampaignId, S.Status, (int)imported, rounds, model, done, rounds.Sum(r => r.Skipped), extra);
    }

    async Task<CampaignInfo> Move(CampaignStatus to, params CampaignStatus[] from)
    {
        if (S.Status == to) return Info();
        RequireStatus($"move to {to}", from);
        S.Status = to;
        await state.WriteOrDeactivateAsync(this);
        return Info();
    }

    void RequireStatus(string action, params CampaignStatus[] allowed)
    {
        if (!allowed.Contains(S.Status))
            throw new AnnotationRejectedException(RejectionCodes.InvalidTransition, "status",
                $"Campaign {CampaignId} is {S.Status}; cannot {action} (needs {string.Join(" or ", allowed)}).");
    }

    CampaignInfo Info() => new(CampaignId, S.Status, S.Settings, (int)imported, Math.Max(S.Settings.Rounds, S.HighestExtraRound));

    public async Task OpenRoundsUpTo(int round)
    {
        if (round is < 1 or > InstanceSpecRules.MaxRounds)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(round), $"Round {round} is outside [1, {InstanceSpecRules.MaxRounds}].");
        if (round <= S.HighestExtraRound) return;
        S.HighestExtraRound = round;
        await state.WriteOrDeactivateAsync(this);
    }

    /// <summary>At most every second task is gold: the rest must be real work.</summary>
    public const double MaxGoldRate = 0.5;

    static void ValidateSettings(CampaignSettings settings)
    {
        if (settings is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(settings), "Settings are missing.");
        if (settings.Rounds is < 1 or > InstanceSpecRules.MaxRounds)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "rounds", $"Rounds {settings.Rounds} is outside [1, {InstanceSpecRules.MaxRounds}].");
        if (settings.MaxClicksPerRound is < 1 or > InstanceSpecRules.MaxClicksLimit)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "maxClicksPerRound",
                $"Max clicks per round {settings.MaxClicksPerRound} is outside [1, {InstanceSpecRules.MaxClicksLimit}].");
        if (settings.MinClickRegionPixels < 0)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "minClickRegionPixels", "Min click region is negative.");
        if (settings.ShardCount is < 1 or > ShardMap.MaxShards)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "shardCount", $"Shard count {settings.ShardCount} is outside [1, {ShardMap.MaxShards}].");
        if (settings.LeaseDuration <= TimeSpan.Zero || settings.LeaseDuration > TimeSpan.FromDays(1))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "leaseDuration", $"Lease duration {settings.LeaseDuration} is outside (0, 1 day].");
        if (!ModelNames.All.Contains(settings.ModelName))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "modelName",
                $"Unknown model '{settings.ModelName}' (known: {string.Join(", ", ModelNames.All)}).");
        if (!(settings.ReprioritizeBelowIoU is >= 0 and <= 1))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "reprioritizeBelowIoU", $"Re-prioritisation threshold {settings.ReprioritizeBelowIoU} is outside [0, 1].");
        if (!(settings.GroundTruthFraction is >= 0 and <= 1))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "groundTruthFraction", $"Ground-truth fraction {settings.GroundTruthFraction} is outside [0, 1].");
        if (!(settings.ReferenceFraction is >= 0 and <= 1))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "referenceFraction", $"Reference fraction {settings.ReferenceFraction} is outside [0, 1].");
        if (!(settings.DoublePaintingFraction is >= 0 and <= 1))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "doublePaintingFraction", $"Double-painting fraction {settings.DoublePaintingFraction} is outside [0, 1].");
        if (!(settings.GoldRate is >= 0 and <= MaxGoldRate))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "goldRate", $"Gold rate {settings.GoldRate} is outside [0, {MaxGoldRate}].");
        if (settings.ImageRoot is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "imageRoot", "Image root is missing.");
        if (settings.ClassPolicies is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "classPolicies", "Class policies are missing (send an empty map).");
    }
}
