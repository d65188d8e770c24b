using Grains;
using Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;
using Segmentation.Interchange;

namespace ApiGateway.Api;

public static class ImportExportEndpoints
{
    const int ImportBatch = 500;
    const int MaxErrorsReported = 1000;
    const long MaxImportBytes = 1L << 30;

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/campaigns/{campaignId}").WithTags("Manager").RequireAuthorization(Security.Policies.Manager);
        api.MapPost("/imports", Import)
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes))
            .WithSummary("Import boxes: COCO instance JSON (format=coco) or OpenImages box CSV (format=openimages); onError=skip|reject.");
        api.MapGet("/export", Export)
            .WithSummary("COCO JSON with RLE masks (format=coco) or a zip of OpenImages-style mask PNGs and CSV (format=openimages).");
    }

    static async Task<IResult> Import(string campaignId, string? format, string? onError, string? masks, HttpRequest request,
        IGrainFactory grains, ILoggerFactory loggers, CancellationToken cancellation)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var rejectWhole = (onError ?? "skip") switch
        {
            "skip" => false,
            "reject" => true,
            _ => throw new ApiProblemException(400, RejectionCodes.Invalid, "onError", $"onError must be skip or reject, got '{ProblemText.Shorten(onError)}'."),
        };
        if (info.Status is not (CampaignStatus.Draft or CampaignStatus.Importing))
            throw new ApiProblemException(409, RejectionCodes.InvalidTransition, "status", $"Campaign {campaignId} is {info.Status}; imports are taken in Draft or Importing.");
        var root = info.Settings.ImageRoot;

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellation);
        if (body.Length == 0) throw new ApiProblemException(400, RejectionCodes.Invalid, "body", "The import file is empty.");
        body.Position = 0;

        ImportParseResult parsed;
        try
        {
            parsed = (format ?? "") switch
            {
                "coco" => CocoBoxImport.Parse(body, file => ImageEndpoints.Resolve(root, file) is not null),
                "openimages" => OpenImagesBoxImport.Parse(body, OpenImagesBoxImport.FolderResolver(root), MasksFolder(root, masks)),
                _ => throw new ApiProblemException(400, RejectionCodes.Invalid, "format", $"format must be coco or openimages, got '{ProblemText.Shorten(format)}'."),
            };
        }
        catch (InvalidDataException e)
        {
            throw new ApiProblemException(400, "malformed_file", "body", e.Message);
        }

        var errors = parsed.Errors.Select(e => new ImportRowErrorDto(e.Row, e.Field, e.Message)).ToList();
        if (rejectWhole && errors.Count > 0)
            throw new ApiProblemException(422, "import_rejected", errors[0].Field,
                $"{errors.Count} of {parsed.RowsRead} rows are bad (first: row {errors[0].Row}, {errors[0].Field}: {errors[0].Message}); nothing was imported.")
            { Errors = errors.Take(MaxErrorsReported).ToArray() };

        var campaign = grains.GetGrain<ICampaignGrain>(campaignId);
        if (info.Status == CampaignStatus.Draft) await campaign.BeginImport();
        var rowOf = parsed.Rows.ToDictionary(r => r.InstanceId, r => r.Row, StringComparer.Ordinal);
        int created = 0, present = 0;
        foreach (var batch in parsed.Rows.Chunk(ImportBatch))
        {
            var result = await campaign.ImportInstances(batch.Select(r => new InstanceImport(
                r.InstanceId, r.ImageFile, r.ImageWidth, r.ImageHeight, new BoxD(r.X0, r.Y0, r.X1, r.Y1), r.ClassName,
                GroundTruth: r.GroundTruth?.ToWire())).ToArray());
            created += result.Created;
            present += result.AlreadyPresent;
            errors.AddRange(result.Rejected.Select(x => new ImportRowErrorDto(rowOf.GetValueOrDefault(x.InstanceId), x.Field, x.Message)));
        }
        loggers.CreateLogger("Import").LogInformation("Imported {Created} instances into {CampaignId} ({Present} already present, {Errors} rows refused)",
            created, campaignId, present, errors.Count);
        return Results.Ok(new ImportReportDto(format!, parsed.RowsRead, created, present, errors.OrderBy(e => e.Row).Take(MaxErrorsReported).ToArray()));
    }

    static string? MasksFolder(string root, string? masks)
    {
        if (string.IsNullOrEmpty(masks)) return null;
        var full = Path.GetFullPath(Path.Combine(root, masks));
        var prefix = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal) || !Directory.Exists(full))
            throw new ApiProblemException(400, RejectionCodes.Invalid, "masks", $"masks must name a folder under the campaign's image root, got '{ProblemText.Shorten(masks)}'.");
        return full;
    }

    static async Task<IResult> Export(string campaignId, string? format, IGrainFactory grains, CancellationToken cancellation)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        if (format is not ("coco" or "openimages"))
            throw new ApiProblemException(400, RejectionCodes.Invalid, "format", $"format must be coco or openimages, got '{ProblemText.Shorten(format)}'.");
        var items = await Gather(grains, campaignId, info.Settings.ShardCount, cancellation);
        // Written to memory first: the writers are synchronous, and a failure must not leave a truncated download.
        var buffer = new MemoryStream();
        if (format == "coco")
        {
            CocoMaskExport.Write(items, buffer);
            return Results.Bytes(buffer.ToArray(), "application/json", $"{campaignId}-coco.json");
        }
        OpenImagesMaskExport.Write(items, buffer);
        return Results.Bytes(buffer.ToArray(), "application/zip", $"{campaignId}-openimages.zip");
    }

    static async Task<List<MaskExportItem>> Gather(IGrainFactory grains, string campaignId, int shards, CancellationToken cancellation)
    {
        var items = new List<MaskExportItem>();
        await foreach (var item in Items(grains, campaignId, shards, null, cancellation)) items.Add(item);
        return items;
    }

    /// <summary>The campaign's instances as export items, grouped by image, read page by page from the instance table.</summary>
    static async IAsyncEnumerable<MaskExportItem> Items(IGrainFactory grains, string campaignId, int shards, InstanceStatus? status,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        var campaign = grains.GetGrain<ICampaignGrain>(campaignId);
        InstanceCursor? after = null;
        do
        {
            cancellation.ThrowIfCancellationRequested();
            var page = await campaign.GetInstances(after, 500, status);
            // The ranking's current model scores every mask, including those finished before the model existed.
            var predicted = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var group in page.Items.Select(v => AnnotationKeys.ParseInstance(v.Key).InstanceId).GroupBy(id => ShardMap.ShardOf(id, shards)))
            {
                var scores = await grains.GetGrain<IQualityIndexGrain>(AnnotationKeys.CampaignShard(campaignId, group.Key)).PredictedIoUs(group.ToArray());
                foreach (var (id, p) in scores) predicted[id] = p;
            }
            foreach (var view in page.Items)
                if (view.Spec is not null) yield return Item(view, predicted);
            after = page.Next;
        }
        while (after is not null);
    }

    static MaskExportItem Item(InstanceView view, IReadOnlyDictionary<string, double> predicted)
    {
        var spec = view.Spec!;
        var (_, instanceId) = AnnotationKeys.ParseInstance(view.Key);
        var rounds = view.Answers.Select(a => new ExportRound(a.Round, a.AnnotatorId, a.ClickCount, a.SecondsSpent, a.Skipped)).ToArray();
        var provenance = new ExportProvenance(rounds.Length, rounds.Select(r => r.Annotator).Distinct(StringComparer.Ordinal).ToArray(),
            rounds.Sum(r => r.Seconds), rounds.Sum(r => r.Clicks), rounds);
        var mask = view.Masks.Count == 0 ? null : view.Masks[^1].Mask.ToKernel();
        return new MaskExportItem(instanceId, spec.ImagePath, spec.ImageWidth, spec.ImageHeight, spec.ClassName,
            spec.Box.X0, spec.Box.Y0, spec.Box.X1, spec.Box.Y1, mask, Json.EnumName(view.Status),
            PredictedIoU: predicted.TryGetValue(instanceId, out var p) ? p : null, provenance,
            view.Clicks.Select(c => new ExportClick(c.X, c.Y, c.Label == ClickPolarity.Foreground, c.Round)).ToArray());
    }
}
