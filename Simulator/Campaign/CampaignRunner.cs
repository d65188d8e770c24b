using System.Globalization;
using System.Runtime.ExceptionServices;
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

/// <summary>Everything the report needs from one run.</summary>
public sealed record CampaignResult(
    CampaignOptions Options,
    IReadOnlyList<CampaignInstanceResult> Instances,
    IReadOnlyList<DatasetProblem> Problems,
    MeasurementLog Measurements,
    int Submits,
    TimeSpan Wall,
    ProgressDto FinalProgress);

/// <summary>
/// Drives a campaign on a running server through HTTP only: create, import the noisy boxes, qualify the
/// annotators sim-1..sim-N, start, run the annotators concurrently until the server reports the campaign
/// complete, then export and score the exported masks.
/// </summary>
public sealed class CampaignRunner(CampaignOptions options, CampaignPlan plan, HttpClient http, RetryPolicy? retry = null, IProgressSink? progress = null)
{
    private static readonly IReadOnlyList<string> Statuses = ["draft", "importing", "running", "paused", "finished"];

    /// <exception cref="CampaignFailedException">
    /// A request was refused (4xx), an answer broke the contract, or the campaign did not complete within the time limit.
    /// </exception>
    public async Task<CampaignResult> RunAsync(CancellationToken ct = default)
    {
        if (plan.Instances.Count == 0) throw new CampaignFailedException("There is no instance to import.");
        var api = new CampaignApiClient(http, new MeasurementLog(), retry);
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
            var instances = Score(export);
            return new CampaignResult(options, instances, plan.Problems, api.Measurements, state.Submits, wall, finalProgress);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new CampaignFailedException(
                $"Campaign {options.CampaignId} did not complete within --timeout-minutes {options.TimeoutMinutes.ToString(CultureInfo.InvariantCulture)} " +
                $"(stopped while {phase}): {state.Finished} of {plan.Instances.Count} instances finished by this run's annotators, {state.Submits} submits.");
        }
    }

    private async Task SetUpAsync(CampaignApiClient api, CancellationToken ct)
    {
        var request = new CreateCampaignRequest(
            options.CampaignId, Path.GetFullPath(options.ImagesDir), options.Rounds, options.ClicksPerRound,
            options.Clicks.MinRegionArea, options.Model, options.Shards);
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

        foreach (var annotator in options.AnnotatorIds) await api.QualifyAsync(annotator, ct);
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

    private List<CampaignInstanceResult> Score(CocoExportDto export)
    {
        var exported = new Dictionary<string, CocoExportAnnotation>(StringComparer.Ordinal);
        foreach (var annotation in export.Annotations ?? [])
        {
            if (annotation.InstanceId is null) continue;
            if (!exported.TryAdd(annotation.InstanceId, annotation))
                Log.Warning("The export lists instance {Instance} more than once; the first entry is scored", annotation.InstanceId);
        }
        var results = new List<CampaignInstanceResult>(plan.Instances.Count);
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
            var (perRound, clicks) = instance.Results(iou);
            results.Add(new CampaignInstanceResult(instance, perRound, clicks, iou, boundaryF, status));
        }
        return results;
    }
}
