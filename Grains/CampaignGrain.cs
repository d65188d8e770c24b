using Grains.Interfaces;

namespace Grains;

[GenerateSerializer, Alias("CampaignState")]
public sealed class CampaignState
{
    [Id(0)] public CampaignStatus Status { get; set; }

    [Id(1)] public CampaignSettings Settings { get; set; } = new();

    [Id(2)] public int ImportedInstances { get; set; }

    [Id(3)] public HashSet<string> Annotators { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The highest extra round granted so far (0 = none).</summary>
    [Id(4)] public int HighestExtraRound { get; set; }
}

public sealed class CampaignGrain(
    [PersistentState("campaign", StorageNames.Annotation)] IPersistentState<CampaignState> state)
    : Grain, ICampaignGrain
{
    public const int MaxImportBatch = 1000;

    CampaignState S => state.State;
    string CampaignId => this.GetPrimaryKeyString();

    public async Task<CampaignInfo> Create(CampaignSettings settings)
    {
        if (!AnnotationKeys.IsValidId(CampaignId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "campaignId", $"'{CampaignId}' is not a valid campaign id.");
        ValidateSettings(settings);
        if (S.Status != CampaignStatus.None)
        {
            if (S.Settings == settings) return Info();
            throw new AnnotationRejectedException(RejectionCodes.InvalidTransition, "status",
                $"Campaign {CampaignId} already exists ({S.Status}) with other settings.");
        }
        S.Settings = settings;
        S.Status = CampaignStatus.Draft;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<ICampaignDirectoryGrain>(0).Add(CampaignId);
        return Info();
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        S.Status is CampaignStatus.Importing or CampaignStatus.Running or CampaignStatus.Paused ? ResumeBackgroundWork() : Task.CompletedTask;

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
        if (S.Annotators.Add(annotatorId)) await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> GetAnnotators() =>
        Task.FromResult<IReadOnlyList<string>>(S.Annotators.Order(StringComparer.Ordinal).ToArray());

    public async Task<CampaignInfo> UpdateSettings(CampaignSettings settings)
    {
        ValidateSettings(settings);
        RequireStatus("update settings", CampaignStatus.Draft);
        S.Settings = settings;
        await state.WriteStateAsync();
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
        var tasks = instances.Select(async item =>
        {
            try
            {
                if (item is null || !AnnotationKeys.IsValidId(item.InstanceId))
                    return (Created: false, Rejection: new ImportRejection(item?.InstanceId ?? "", RejectionCodes.Invalid, "instanceId", "Invalid instance id."));
                var spec = new InstanceSpec(item.ImagePath, item.ImageWidth, item.ImageHeight, item.Box, item.ClassName,
                    settings.Rounds, settings.MaxClicksPerRound, settings.ShardCount, item.Priority, settings.ModelName);
                var created = await GrainFactory.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(CampaignId, item.InstanceId)).Initialize(spec, item.GroundTruth);
                return (Created: created, Rejection: (ImportRejection?)null);
            }
            catch (AnnotationRejectedException e)
            {
                return (Created: false, Rejection: new ImportRejection(item!.InstanceId, e.Code, e.Field, e.Message));
            }
        }).ToArray();
        var results = await Task.WhenAll(tasks);

        var createdIds = instances.Where((_, i) => results[i].Created).Select(item => item.InstanceId).ToArray();
        await Task.WhenAll(createdIds.GroupBy(id => ShardMap.ShardOf(id, settings.ShardCount)).Select(group =>
            GrainFactory.GetGrain<IInstanceIndexGrain>(AnnotationKeys.CampaignShard(CampaignId, group.Key)).Add(group.ToArray())));

        var created = results.Count(r => r.Created);
        var rejected = results.Where(r => r.Rejection is not null).Select(r => r.Rejection!).ToArray();
        if (created > 0)
        {
            S.ImportedInstances += created;
            await state.WriteStateAsync();
        }
        return new ImportResult(created, results.Length - created - rejected.Length, rejected);
    }

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
        return new CampaignProgress(CampaignId, S.Status, S.ImportedInstances, rounds, model, done, rounds.Sum(r => r.Skipped), extra);
    }

    async Task<CampaignInfo> Move(CampaignStatus to, params CampaignStatus[] from)
    {
        if (S.Status == to) return Info();
        RequireStatus($"move to {to}", from);
        S.Status = to;
        await state.WriteStateAsync();
        return Info();
    }

    void RequireStatus(string action, params CampaignStatus[] allowed)
    {
        if (!allowed.Contains(S.Status))
            throw new AnnotationRejectedException(RejectionCodes.InvalidTransition, "status",
                $"Campaign {CampaignId} is {S.Status}; cannot {action} (needs {string.Join(" or ", allowed)}).");
    }

    CampaignInfo Info() => new(CampaignId, S.Status, S.Settings, S.ImportedInstances, Math.Max(S.Settings.Rounds, S.HighestExtraRound));

    public async Task OpenRoundsUpTo(int round)
    {
        if (round is < 1 or > InstanceGrain.MaxRounds)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(round), $"Round {round} is outside [1, {InstanceGrain.MaxRounds}].");
        if (round <= S.HighestExtraRound) return;
        S.HighestExtraRound = round;
        await state.WriteStateAsync();
    }

    static void ValidateSettings(CampaignSettings settings)
    {
        if (settings is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(settings), "Settings are missing.");
        if (settings.Rounds is < 1 or > InstanceGrain.MaxRounds)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "rounds", $"Rounds {settings.Rounds} is outside [1, {InstanceGrain.MaxRounds}].");
        if (settings.MaxClicksPerRound is < 1 or > InstanceGrain.MaxClicksLimit)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "maxClicksPerRound",
                $"Max clicks per round {settings.MaxClicksPerRound} is outside [1, {InstanceGrain.MaxClicksLimit}].");
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
        if (settings.ImageRoot is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "imageRoot", "Image root is missing.");
        if (settings.ClassPolicies is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "classPolicies", "Class policies are missing (send an empty map).");
    }
}
