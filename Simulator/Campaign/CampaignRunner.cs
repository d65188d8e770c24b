using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using Segmentation.Evaluation.Datasets;
using Segmentation.Masks;
using Serilog;

namespace Simulator.Campaign;

/// <summary>One instance's figures after the campaign.</summary>
/// <param name="IoUPerRound">After round 0 (the box model) and after each round 1..R; null where no mask is known.</param>
/// <param name="ClicksPerRound">Clicks submitted per round 0..R (round 0 has none).</param>
/// <param name="ExportIoU">IoU of the exported mask with the ground truth (ignore band excluded); null without an exported mask.</param>
/// <param name="ExportStatus">The export's status of the annotation, if it was exported.</param>
public sealed record CampaignInstanceResult(
    CampaignInstance Instance, IReadOnlyList<double?> IoUPerRound, IReadOnlyList<int> ClicksPerRound,
    double? ExportIoU, double? ExportBoundaryF, string? ExportStatus);

/// <summary>The exported mask of one instance scored against the ground truth.</summary>
/// <param name="IoU">With the ignore band excluded; null without an exported mask.</param>
/// <param name="Status">The export's status of the annotation, if it was exported.</param>
public sealed record ExportScore(CampaignInstance Instance, double? IoU, double? BoundaryF, string? Status);

/// <summary>The quality model's view of a campaign: every instance with a predicted IoU, the model and the server's curve.</summary>
/// <param name="Curve">The answer of GET ranking/curve, as the server wrote it.</param>
public sealed record RankingSnapshot(int ModelVersion, IReadOnlyList<RankedInstanceDto> Items, RankingModelDto Model, JsonObject Curve);

/// <summary>An extra-click budget spent on a campaign after its regular rounds, and the export after it.</summary>
/// <param name="Server">The server's account of the spending once it ended.</param>
/// <param name="AnnotatorRounds">Extra-round answers the simulated annotators submitted.</param>
/// <param name="AnnotatorClicks">Clicks in those answers.</param>
public sealed record ExtraRoundsOutcome(
    BudgetStrategy Strategy, string CampaignId, ExtraRoundsDto Server, IReadOnlyList<ExportScore> Export,
    int AnnotatorRounds, int AnnotatorClicks, int Submits, TimeSpan Wall);

/// <summary>Everything the report needs from one run.</summary>
public sealed record CampaignResult(
    CampaignOptions Options,
    IReadOnlyList<CampaignInstanceResult> Instances,
    IReadOnlyList<DatasetProblem> Problems,
    MeasurementLog Measurements,
    int Submits,
    TimeSpan Wall,
    ProgressDto FinalProgress,
    IReadOnlyList<double>? PaintingIoUs = null,
    int PaintingSkips = 0);

/// <summary>
/// Drives a campaign on a running server through HTTP only: create, import the noisy boxes, qualify the
/// annotators sim-1..sim-N, start, run the annotators concurrently until the server reports the campaign
/// complete, then export and score the exported masks. Afterwards it can read the quality model's ranking and
/// spend an extra-click budget on extra rounds, with the same annotators and the same plan.
/// </summary>
public sealed class CampaignRunner(CampaignOptions options, CampaignPlan plan, HttpClient http, RetryPolicy? retry = null, IProgressSink? progress = null)
{
    private static readonly IReadOnlyList<string> Statuses = ["draft", "importing", "running", "paused", "finished"];

    /// <summary>The server's largest ranking page.</summary>
    public const int RankingPageSize = 1000;

    private const int RankingAttempts = 3;
    private static readonly TimeSpan ModelCatchUpPatience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan NoModelPatience = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ModelPollInterval = TimeSpan.FromMilliseconds(500);

    /// <exception cref="CampaignFailedException">
    /// A request was refused (4xx), an answer broke the contract, or the campaign did not complete within the time limit.
    /// </exception>
    public async Task<CampaignResult> RunAsync(CancellationToken ct = default)
    {
        if (plan.Instances.Count == 0) throw new CampaignFailedException("There is no instance to import.");
        var api = new CampaignApiClient(http, new MeasurementLog(), retry, options.Credentials);
        var state = new CampaignRunState(options, plan, api, progress);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromMinutes(options.TimeoutMinutes));
        var phase = "setting up the campaign";
        try
        {
            await SetUpAsync(api, limit.Token);
            state.MarkStarted();
            phase = "annotating";
            await RunAnnotatorsAsync(state, limit.Token);
            var wall = state.Wall;
            phase = "exporting";
            var finalProgress = await api.ProgressAsync(options.CampaignId, limit.Token);
            var export = await api.ExportCocoAsync(options.CampaignId, limit.Token);
            var instances = Score(export).Select(score =>
            {
                var (perRound, clicks) = score.Instance.Results(score.IoU);
                return new CampaignInstanceResult(score.Instance, perRound, clicks, score.IoU, score.BoundaryF, score.Status);
            }).ToArray();
            var (paintings, paintingSkips) = state.Paintings;
            return new CampaignResult(options, instances, plan.Problems, api.Measurements, state.Submits, wall, finalProgress, paintings, paintingSkips);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new CampaignFailedException(
                $"Campaign {options.CampaignId} did not complete within --timeout-minutes {options.TimeoutMinutes.ToString(CultureInfo.InvariantCulture)} " +
                $"(stopped while {phase}): {state.Finished} of {plan.Instances.Count} instances finished by this run's annotators, {state.Submits} submits.");
        }
    }

    /// <summary>
    /// Every instance with a predicted IoU (best first, page by page), the quality model and the server's curve. The
    /// pages are read again when the model changed while they were read, so they all come from one model.
    /// </summary>
    /// <exception cref="CampaignFailedException">A request was refused, or the server did not answer within the time limit.</exception>
    public async Task<RankingSnapshot> CollectRankingAsync(CancellationToken ct = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromMinutes(options.TimeoutMinutes));
        try
        {
            return await CollectRankingWithinAsync(limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new CampaignFailedException(
                $"The ranking of campaign {options.CampaignId} could not be read within --timeout-minutes {options.TimeoutMinutes.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    /// <summary>
    /// The server's table of annotator quality (judged on instances with a reference mask) after the campaign; null, with a
    /// warning, from a server too old to have one, so that the rest of the report is not lost.
    /// </summary>
    public async Task<IReadOnlyList<AnnotatorQualityDto>?> CollectAnnotatorQualityAsync(CancellationToken ct = default)
    {
        try
        {
            return await new CampaignApiClient(http, new MeasurementLog(), retry, options.Credentials).AnnotatorQualityAsync(options.CampaignId, ct);
        }
        catch (CampaignApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            Log.Warning("Campaign {Id}: the server has no annotator quality table ({Message}); the report has no flags", options.CampaignId, e.Message);
            return null;
        }
    }

    private async Task<RankingSnapshot> CollectRankingWithinAsync(CancellationToken ct)
    {
        var api = new CampaignApiClient(http, new MeasurementLog(), retry, options.Credentials);
        await WaitForModelToCatchUpAsync(api, ct);
        for (var attempt = 1; ; attempt++)
        {
            var (version, items, consistent) = await ReadRankingAsync(api, ct);
            if (consistent || attempt == RankingAttempts)
            {
                if (!consistent)
                    Log.Warning("Campaign {Id}: the quality model kept changing while the ranking was read ({Attempts} attempts); the last reading is reported",
                        options.CampaignId, attempt);
                var model = await api.RankingModelAsync(options.CampaignId, ct);
                var curve = await api.RankingCurveAsync(options.CampaignId, ct);
                if (version == 0)
                    Log.Warning("Campaign {Id} has no quality model M_r yet ({Examples} training examples): too few finished rounds of ground-truth instances",
                        options.CampaignId, model.Examples);
                else
                    Log.Information("Campaign {Id}: quality model version {Version} trained on {Trained} of {Examples} examples, {Count} instances with a predicted IoU",
                        options.CampaignId, version, model.TrainedOnExamples, model.Examples, items.Count);
                return new RankingSnapshot(version, items, model, curve);
            }
        }
    }

    /// <summary>
    /// The server retrains M_r a few seconds after its last new example; the ranking is read once the model has taken in
    /// every example, so that a run's figures do not depend on when the last retraining happened to fall.
    /// </summary>
    private async Task WaitForModelToCatchUpAsync(CampaignApiClient api, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            var model = await api.RankingModelAsync(options.CampaignId, ct);
            if (model.TrainedOnExamples >= model.Examples) return;
            var waited = DateTime.UtcNow - started;
            // Without a first model after a while there are too few examples to train one at all.
            if (model.ModelVersion == 0 && waited > NoModelPatience) return;
            if (waited > ModelCatchUpPatience)
            {
                Log.Warning("Campaign {Id}: the quality model is still trained on {Trained} of {Examples} examples after {Seconds:F0} s; ranking it as it is",
                    options.CampaignId, model.TrainedOnExamples, model.Examples, waited.TotalSeconds);
                return;
            }
            await Task.Delay(ModelPollInterval, ct);
        }
    }

    private async Task<(int Version, IReadOnlyList<RankedInstanceDto> Items, bool Consistent)> ReadRankingAsync(CampaignApiClient api, CancellationToken ct)
    {
        var items = new List<RankedInstanceDto>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int? version = null;
        var consistent = true;
        for (var offset = 0; ;)
        {
            var page = await api.RankingAsync(options.CampaignId, bestFirst: true, offset, RankingPageSize, ct);
            version ??= page.ModelVersion;
            var pageItems = page.Items ?? [];
            if (page.ModelVersion != version) consistent = false;
            foreach (var item in pageItems)
                if (!seen.Add(item.InstanceId)) consistent = false; // the order moved between pages
            items.AddRange(pageItems);
            offset += pageItems.Count;
            if (pageItems.Count == 0 || offset >= page.Total) break;
        }
        return (version ?? 0, items.DistinctBy(i => i.InstanceId).ToArray(), consistent);
    }

    /// <summary>
    /// Asks the server to spend <see cref="CampaignOptions.ExtraClicks"/> on extra rounds chosen by <paramref name="strategy"/>,
    /// answers them until the campaign is complete again, then exports and scores the masks.
    /// </summary>
    /// <exception cref="CampaignFailedException">
    /// The server refused the spending (for ranked: no quality model yet), or it did not end within the time limit.
    /// </exception>
    public async Task<ExtraRoundsOutcome> SpendExtraClicksAsync(BudgetStrategy strategy, IProgressSink? extraProgress = null, CancellationToken ct = default)
    {
        if (options.ExtraClicks <= 0) throw new InvalidOperationException("There is no extra-click budget to spend (--extra-clicks is 0).");
        var api = new CampaignApiClient(http, new MeasurementLog(), retry, options.Credentials);
        var state = new CampaignRunState(options, plan, api, extraProgress, extraPhase: true);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromMinutes(options.TimeoutMinutes));
        var request = new ExtraRoundsRequest(options.ExtraClicks, strategy, options.Seed, options.ExtraRoundsPerInstance);
        try
        {
            ExtraRoundsDto started;
            try
            {
                started = await api.StartExtraRoundsAsync(options.CampaignId, request, limit.Token);
            }
            catch (CampaignApiException ex) when (ex.Status == System.Net.HttpStatusCode.Conflict && strategy == BudgetStrategy.Ranked)
            {
                var model = await api.RankingModelAsync(options.CampaignId, limit.Token);
                if (model.ModelVersion > 0) throw;
                throw new CampaignFailedException(
                    $"The server refused the ranked strategy for campaign {options.CampaignId}: it has no quality model M_r. The campaign had too few " +
                    $"finished rounds of ground-truth instances to train one ({model.Examples} examples); give a larger --gt-fraction " +
                    $"(now {options.GroundTruthFraction.ToString(CultureInfo.InvariantCulture)}) or more instances. The server said: {ex.Message}", ex);
            }
            Log.Information("Campaign {Id}: spending {Clicks} extra clicks ({Strategy}); {Granted} extra rounds granted so far",
                options.CampaignId, options.ExtraClicks, strategy.Name(), started.RoundsGranted);
            state.MarkStarted();
            await RunAnnotatorsAsync(state, limit.Token);
            var wall = state.Wall;
            var summary = await api.ExtraRoundsAsync(options.CampaignId, limit.Token);
            if (summary.Active)
                throw new CampaignFailedException($"Campaign {options.CampaignId} reported complete while its extra-click spending is still active.");
            Log.Information("Campaign {Id}: extra rounds ended ({Reason}): {Spent} clicks in {Finished} of {Granted} rounds",
                options.CampaignId, summary.StopReason, summary.ClicksSpent, summary.RoundsFinished, summary.RoundsGranted);
            var export = Score(await api.ExportCocoAsync(options.CampaignId, limit.Token));
            var extra = plan.Instances.Select(i => i.ExtraResults()).ToArray();
            return new ExtraRoundsOutcome(strategy, options.CampaignId, summary, export,
                extra.Sum(e => e.Rounds), extra.Sum(e => e.Clicks), state.Submits, wall);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new CampaignFailedException(
                $"The extra rounds of campaign {options.CampaignId} ({strategy.Name()}) did not end within --timeout-minutes " +
                $"{options.TimeoutMinutes.ToString(CultureInfo.InvariantCulture)}: {state.Submits} submits so far.");
        }
    }

    /// <summary>
    /// Creates the campaign, imports the plan, sets up and qualifies the annotators and starts it, without running them
    /// (the load command's people work in it at their own pace).
    /// </summary>
    /// <exception cref="CampaignFailedException">A request was refused or an answer broke the contract.</exception>
    public Task PrepareAsync(CancellationToken ct) =>
        SetUpAsync(new CampaignApiClient(http, new MeasurementLog(), retry, options.Credentials), ct);

    private async Task SetUpAsync(CampaignApiClient api, CancellationToken ct)
    {
        var request = new CreateCampaignRequest(
            options.CampaignId, Path.GetFullPath(options.ImagesDir), options.Rounds, options.ClicksPerRound,
            options.Clicks.MinRegionArea, options.Model, options.Shards, options.GroundTruthFraction, options.ReprioritizeBelowIoU,
            options.ReferenceFraction, options.DoublePaintingFraction, options.GoldRate);
        var (campaign, created) = await api.CreateCampaignAsync(request, ct);
        if (!created && campaign.Status != "draft")
            throw new CampaignFailedException(
                $"Campaign {options.CampaignId} already exists with status '{campaign.Status}'; give a new id with --campaign.");
        if (!Statuses.Contains(campaign.Status))
            Log.Warning("Campaign {Id} has an unknown status '{Status}'", campaign.Id, campaign.Status);
        if (campaign.Settings is { } settings && (settings.Rounds != options.Rounds || settings.MaxClicksPerRound != options.ClicksPerRound))
            throw new CampaignFailedException(
                $"Campaign {options.CampaignId} has {settings.Rounds} rounds of up to {settings.MaxClicksPerRound} clicks, " +
                $"not the {options.Rounds} x {options.ClicksPerRound} asked for.");
        if (campaign.Settings is { } ranking
            && ((ranking.GroundTruthFraction ?? 0) != options.GroundTruthFraction || (ranking.ReprioritizeBelowIoU ?? 0) != options.ReprioritizeBelowIoU))
            throw new CampaignFailedException(
                $"Campaign {options.CampaignId} has ground-truth fraction {Text(ranking.GroundTruthFraction)} and re-prioritisation threshold " +
                $"{Text(ranking.ReprioritizeBelowIoU)}, not the {Text(options.GroundTruthFraction)} and {Text(options.ReprioritizeBelowIoU)} asked for " +
                "(a server without a quality model ignores them).");
        if (options.ReferenceFraction > 0 && campaign.Settings is { } painting
            && ((painting.ReferenceFraction ?? 0) != options.ReferenceFraction || (painting.DoublePaintingFraction ?? 0) != options.DoublePaintingFraction
                || (painting.GoldRate ?? 0) != options.GoldRate))
            throw new CampaignFailedException(
                $"Campaign {options.CampaignId} has reference fraction {Text(painting.ReferenceFraction)}, double-painting fraction " +
                $"{Text(painting.DoublePaintingFraction)} and gold rate {Text(painting.GoldRate)}, not the {Text(options.ReferenceFraction)}, " +
                $"{Text(options.DoublePaintingFraction)} and {Text(options.GoldRate)} asked for " +
                "(a server without reference painting ignores them).");
        Log.Information("Campaign {Id} {Action} ({Rounds} rounds, up to {Clicks} clicks, model {Model})",
            options.CampaignId, created ? "created" : "exists as a draft", options.Rounds, options.ClicksPerRound, options.Model);

        var import = await api.ImportCocoAsync(options.CampaignId, plan.ImportDocument.ToJsonString(), ct);
        if (import.Rejected is { Count: > 0 } rejected)
            throw new CampaignFailedException(
                $"The import rejected {rejected.Count} rows: {string.Join("; ", rejected.Take(10).Select(r => r.GetRawText()))}");
        if (import.Imported + import.AlreadyPresent != plan.Instances.Count)
            throw new CampaignFailedException(
                $"The import took {import.Imported} new and {import.AlreadyPresent} present instances of the {plan.Instances.Count} sent.");
        Log.Information("Imported {Imported} instances ({Present} were already present)", import.Imported, import.AlreadyPresent);

        foreach (var annotator in options.AnnotatorIds)
        {
            if (options.Credentials is not null) await api.EnsureAnnotatorAsync(options.CampaignId, annotator, ct);
            await api.QualifyAsync(annotator, ct);
        }
        foreach (var painter in options.PainterIds) await api.QualifyPainterAsync(painter, ct);
        try
        {
            await api.StartAsync(options.CampaignId, ct);
        }
        catch (CampaignApiException ex) when (ex.Status == System.Net.HttpStatusCode.Conflict)
        {
            // A start whose answer was lost and retried finds the campaign running already.
            var current = await api.GetCampaignAsync(options.CampaignId, ct);
            if (current.Status != "running") throw;
        }
        Log.Information("Campaign {Id} started with {Annotators} simulated annotators", options.CampaignId, options.Annotators);
    }

    private static async Task RunAnnotatorsAsync(CampaignRunState state, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Exception? firstFailure = null;
        var annotators = state.Options.AnnotatorIds.Select(id => new SimulatedAnnotator(id, state)).ToArray();
        var tasks = annotators.Select(a => Task.Run(async () =>
        {
            try
            {
                await a.RunAsync(stop.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                // The first real failure stops the other annotators and is what the run reports.
                Interlocked.CompareExchange(ref firstFailure, ex, null);
                await stop.CancelAsync();
                throw;
            }
        }, CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch when (Volatile.Read(ref firstFailure) is not null && !ct.IsCancellationRequested)
        {
            ExceptionDispatchInfo.Capture(firstFailure!).Throw();
        }
    }

    private static string Text(double? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "(none)";

    private List<ExportScore> Score(CocoExportDto export)
    {
        var exported = new Dictionary<string, CocoExportAnnotation>(StringComparer.Ordinal);
        foreach (var annotation in export.Annotations ?? [])
        {
            if (annotation.InstanceId is null) continue;
            if (!exported.TryAdd(annotation.InstanceId, annotation))
                Log.Warning("The export lists instance {Instance} more than once; the first entry is scored", annotation.InstanceId);
        }
        var results = new List<ExportScore>(plan.Instances.Count);
        foreach (var instance in plan.Instances)
        {
            double? iou = null, boundaryF = null;
            string? status = null;
            if (exported.TryGetValue(instance.InstanceId, out var annotation))
            {
                status = annotation.Status;
                if (annotation.Segmentation is { } segmentation)
                {
                    var mask = segmentation.Decode();
                    if (mask.Width != instance.Width || mask.Height != instance.Height)
                        throw new CampaignFailedException(
                            $"The exported mask of instance {instance.InstanceId} ({instance.Name}) is {mask.Width}x{mask.Height}, the image is {instance.Width}x{instance.Height} (w x h).");
                    var truth = instance.LoadTruth();
                    iou = MaskMetrics.IoU(mask, truth.Mask, truth.Ignore);
                    boundaryF = MaskMetrics.BoundaryFMeasure(mask, truth.Mask, options.BoundaryTolerancePx, truth.Ignore);
                }
            }
            else
            {
                Log.Warning("The export has no annotation for instance {Instance} ({Name})", instance.InstanceId, instance.Name);
            }
            results.Add(new ExportScore(instance, iou, boundaryF, status));
        }
        return results;
    }
}
