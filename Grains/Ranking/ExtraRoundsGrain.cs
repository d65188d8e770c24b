using Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace Grains;

[GenerateSerializer, Alias("ExtraRoundsState")]
public sealed class ExtraRoundsState
{
    [Id(0)] public ExtraRoundsRequest? Request { get; set; }

    [Id(1)] public bool Active { get; set; }

    [Id(2)] public int ClicksSpent { get; set; }

    /// <summary>
    /// Instance id -> the extra round granted and not finished yet. A grant is written here as pending (round 0) before the
    /// instance hears of it, so a grant an instance stored is never lost to a crash; activation settles pending grants.
    /// </summary>
    [Id(3)] public Dictionary<string, ExtraGrant> Outstanding { get; set; } = new(StringComparer.Ordinal);

    [Id(4)] public int RoundsGranted { get; set; }

    [Id(5)] public int RoundsFinished { get; set; }

    [Id(6)] public string? StopReason { get; set; }

    /// <summary>Counts the spendings of this campaign, so each grant has an id the instance can recognise when it is repeated.</summary>
    [Id(7)] public int Spending { get; set; }
}

[GenerateSerializer, Immutable, Alias("ExtraGrant")]
public sealed record ExtraGrant(
    [property: Id(0)] int Round,
    [property: Id(1)] string GrantId);

/// <summary>
/// One per campaign, but off the annotation hot path: it sees one call per extra round granted and one per extra round
/// finished, and reads the quality index shards only when it grants.
/// </summary>
public sealed class ExtraRoundsGrain(
    [PersistentState("extrarounds", StorageNames.Annotation)] IPersistentState<ExtraRoundsState> state,
    ILogger<ExtraRoundsGrain> logger)
    : Grain, IExtraRoundsGrain
{
    public const int MaxExtraRoundsPerInstance = 5;
    public const int MaxClickBudget = 100_000_000;

    ExtraRoundsState S => state.State;
    string CampaignId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Active) await Reconcile();
    }

    public async Task<ExtraRoundsSummary> Start(ExtraRoundsRequest request)
    {
        if (request is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(request), "The request is missing.");
        if (request.ClickBudget is < 1 or > MaxClickBudget)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "clicks", $"The click budget {request.ClickBudget} is outside [1, {MaxClickBudget}].");
        if (!Enum.IsDefined(request.Strategy))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "strategy", $"Unknown strategy {request.Strategy}.");
        if (request.MaxExtraRoundsPerInstance is < 1 or > MaxExtraRoundsPerInstance)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "maxRoundsPerInstance",
                $"Extra rounds per instance {request.MaxExtraRoundsPerInstance} is outside [1, {MaxExtraRoundsPerInstance}].");
        if (S.Active)
        {
            if (S.Request == request) return Summary();
            throw new AnnotationRejectedException(RejectionCodes.InvalidTransition, "status",
                $"Campaign {CampaignId} is still spending an extra-click budget ({S.ClicksSpent} of {S.Request!.ClickBudget} clicks spent); wait until it ends.");
        }
        var info = await GrainFactory.GetGrain<ICampaignGrain>(CampaignId).GetInfo();
        if (info.Status is not (CampaignStatus.Running or CampaignStatus.Paused))
            throw new AnnotationRejectedException(RejectionCodes.CampaignNotRunning, "campaignId",
                $"Campaign {CampaignId} is {info.Status}; extra rounds are granted while it is Running or Paused.");
        if (request.Strategy == ExtraRoundStrategy.Ranked && (await GrainFactory.GetGrain<IRankingGrain>(CampaignId).GetSummary()).ModelVersion == 0)
            throw new AnnotationRejectedException(RejectionCodes.InvalidTransition, "strategy",
                $"Campaign {CampaignId} has no quality model yet (it needs a ground-truth fraction and finished rounds of ground-truth instances); use random or queue order.");

        S.Request = request;
        S.Active = true;
        S.ClicksSpent = 0;
        S.Outstanding.Clear();
        S.RoundsGranted = 0;
        S.RoundsFinished = 0;
        S.StopReason = null;
        S.Spending++;
        await state.WriteOrDeactivateAsync(this);
        logger.LogInformation("Campaign {CampaignId}: spending {Clicks} extra clicks, strategy {Strategy}", CampaignId, request.ClickBudget, request.Strategy);
        await Grant(info.Settings);
        return Summary();
    }

    public async Task RoundFinished(string instanceId, int round, int clicks)
    {
        if (!S.Outstanding.TryGetValue(instanceId, out var granted) || granted.Round != round) return;
        S.Outstanding.Remove(instanceId);
        S.ClicksSpent += Math.Max(0, clicks);
        S.RoundsFinished++;
        await state.WriteOrDeactivateAsync(this);
        if (S.Active) this.AsReference<IExtraRoundsGrain>().GrantMore().Ignore();
    }

    public async Task GrantMore()
    {
        if (S.Active) await Grant((await GrainFactory.GetGrain<ICampaignGrain>(CampaignId).GetInfo()).Settings);
    }

    public Task<ExtraRoundsSummary> GetSummary() => Task.FromResult(Summary());

    ExtraRoundsSummary Summary() =>
        new(S.Request, S.Active, S.ClicksSpent, S.Outstanding.Count, S.RoundsGranted, S.RoundsFinished, S.StopReason);

    /// <summary>
    /// Grants as many rounds as the unreserved budget pays for (each reserves a full round of clicks), to the best candidates
    /// over all shards. Ends the spending when no round can be paid for, or when nothing is outstanding and no candidate is left.
    /// </summary>
    async Task Grant(CampaignSettings settings)
    {
        try
        {
            await GrantRounds(settings);
        }
        catch
        {
            // A grant may be written and not yet settled; only activation reconciles those, so the next call starts afresh.
            DeactivateOnIdle();
            throw;
        }
    }

    async Task GrantRounds(CampaignSettings settings)
    {
        var request = S.Request!;
        var perRound = settings.MaxClicksPerRound;
        while (true)
        {
            var slots = (request.ClickBudget - S.ClicksSpent - S.Outstanding.Count * perRound) / perRound;
            if (slots <= 0)
            {
                if (S.Outstanding.Count == 0) await Stop("the budget cannot pay for another round");
                return;
            }
            var exclude = S.Outstanding.Keys.ToArray();
            var perShard = await Task.WhenAll(Enumerable.Range(0, settings.ShardCount).Select(shard =>
                GrainFactory.GetGrain<IQualityIndexGrain>(AnnotationKeys.CampaignShard(CampaignId, shard))
                    .ExtraCandidates(request.Strategy, request.Seed, request.MaxExtraRoundsPerInstance, exclude, slots)));
            var chosen = perShard.SelectMany(c => c).Order(ExtraCandidateOrder.Instance).Take(slots).ToArray();
            var granted = 0;
            foreach (var candidate in chosen)
            {
                var grantId = $"extra-{S.Spending}-{S.RoundsGranted}";
                S.Outstanding[candidate.InstanceId] = new ExtraGrant(PendingRound, grantId);
                S.RoundsGranted++;
                await state.WriteOrDeactivateAsync(this);
                if (await SettlePending(candidate.InstanceId, grantId) is not null) granted++;
                await state.WriteOrDeactivateAsync(this);
            }
            if (granted == 0)
            {
                if (S.Outstanding.Count == 0) await Stop("no instance is left to give an extra round");
                return;
            }
        }
    }

    /// <summary>The round of a grant written but not yet confirmed by its instance.</summary>
    const int PendingRound = 0;

    /// <summary>
    /// Gives the instance its pending grant (idempotent by grant id). When the instance takes it, the grant gets its round and
    /// the round is opened to annotators; when it cannot, the grant is dropped. The caller writes the state.
    /// </summary>
    async Task<ExtraGrant?> SettlePending(string instanceId, string grantId)
    {
        var instance = GrainFactory.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(CampaignId, instanceId));
        if (await instance.GrantExtraRound(grantId, S.Request!.MaxExtraRoundsPerInstance) is not { } round)
        {
            S.Outstanding.Remove(instanceId);
            S.RoundsGranted--;
            return null;
        }
        await GrainFactory.GetGrain<ICampaignGrain>(CampaignId).OpenRoundsUpTo(round);
        return S.Outstanding[instanceId] = new ExtraGrant(round, grantId);
    }

    async Task Stop(string reason)
    {
        S.Active = false;
        S.StopReason = reason;
        await state.WriteOrDeactivateAsync(this);
        logger.LogInformation("Campaign {CampaignId}: extra rounds ended ({Reason}); {Clicks} clicks in {Rounds} rounds",
            CampaignId, reason, S.ClicksSpent, S.RoundsFinished);
    }

    /// <summary>
    /// After a restart: a grant may be pending (the instance may not have heard of it), an instance may have finished its extra
    /// round without the notice arriving, or have stored its grant without reaching the queue. Pending grants are settled,
    /// finished rounds are counted, and unfinished ones are granted again (the instance repeats its enqueue).
    /// </summary>
    async Task Reconcile()
    {
        foreach (var (instanceId, recorded) in S.Outstanding.ToArray())
        {
            // Written before a crash: the instance may or may not have stored it. Granting again with the same id settles it.
            if (recorded.Round == PendingRound && await SettlePending(instanceId, recorded.GrantId) is null) continue;
            var grant = S.Outstanding[instanceId];
            var instance = GrainFactory.GetGrain<IInstanceGrain>(AnnotationKeys.Instance(CampaignId, instanceId));
            var view = await instance.GetState();
            if (view.CurrentRound > grant.Round || (view.CurrentRound == grant.Round && view.Status is InstanceStatus.Done or InstanceStatus.Skipped))
            {
                S.Outstanding.Remove(instanceId);
                S.ClicksSpent += view.Answers.Where(a => a.Round == grant.Round).Sum(a => a.ClickCount);
                S.RoundsFinished++;
            }
            else
            {
                await instance.GrantExtraRound(grant.GrantId, S.Request!.MaxExtraRoundsPerInstance);
            }
        }
        await state.WriteOrDeactivateAsync(this);
        await Grant((await GrainFactory.GetGrain<ICampaignGrain>(CampaignId).GetInfo()).Settings);
    }
}
