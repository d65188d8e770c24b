using Grains;
using Grains.Interfaces;
using Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Segmentation.Interchange;

namespace ApiGateway.Api;

public static class ImportExportEndpoints
{
    /// <summary>Rows per call to the campaign grain: one bulk write each.</summary>
    const int ImportBatch = 2000;
    const int MaxErrorsReported = 1000;
    const int ExportPage = 500;

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/campaigns/{campaignId}").WithTags("Manager").RequireAuthorization(Security.Policies.Manager);
        api.MapPost("/imports", Import)
            .WithSummary("Import boxes: COCO instance JSON (format=coco) or OpenImages box CSV (format=openimages); onError=skip|reject. " +
                         "The body is streamed; rows are written in batches, so the campaign's progress counts them while the import runs.");
        api.MapGet("/export", Export)
            .WithSummary("COCO JSON with RLE masks (format=coco) or a zip of OpenImages-style mask PNGs and CSV (format=openimages), streamed; " +
                         "status and minPredictedIoU filter, limit and after (an instance id: continue after it) export part of a campaign.");
    }

    static async Task<IResult> Import(string campaignId, string? format, string? onError, string? masks, HttpContext http,
        IGrainFactory grains, ILoggerFactory loggers, IOptions<ImportOptions> options, IConfiguration configuration, CancellationToken cancellation)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        var rejectWhole = (onError ?? "skip") switch
        {
            "skip" => false,
            "reject" => true,
            _ => throw new ApiProblemException(400, RejectionCodes.Invalid, "onError", $"onError must be skip or reject, got '{ProblemText.Shorten(onError)}'."),
        };
        if (format is not ("coco" or "openimages"))
            throw new ApiProblemException(400, RejectionCodes.Invalid, "format", $"format must be coco or openimages, got '{ProblemText.Shorten(format)}'.");
        if (info.Status is not (CampaignStatus.Draft or CampaignStatus.Importing))
            throw new ApiProblemException(409, RejectionCodes.InvalidTransition, "status", $"Campaign {campaignId} is {info.Status}; imports are taken in Draft or Importing.");
        var root = info.Settings.ImageRoot;
        var masksFolder = MasksFolder(root, masks);
        var limits = options.Value;

        // The body goes to a temporary file first: COCO files name their categories after the annotations, and a
        // malformed file must be refused before any row is imported.
        await using var spool = await Spool(http, limits.MaxBytes, StorageSettings.DataFolder(configuration), cancellation);

        IEnumerable<ImportRecord> Records()
        {
            spool.Position = 0;
            return format == "coco"
                ? CocoBoxImport.Read(spool, CocoBoxImport.FolderResolver(root), limits.Limits)
                : OpenImagesBoxImport.Read(new StreamReader(spool, leaveOpen: true), OpenImagesBoxImport.FolderResolver(root), masksFolder, limits.Limits);
        }

        var errors = new List<ImportRowErrorDto>();
        var errorCount = 0;
        var rowsRead = 0;
        try
        {
            if (rejectWhole)
            {
                foreach (var record in Records())
                {
                    cancellation.ThrowIfCancellationRequested();
                    rowsRead++;
                    if (record.Errors.Count == 0) continue;
                    errorCount++;
                    if (errors.Count < MaxErrorsReported) errors.AddRange(record.Errors.Select(e => new ImportRowErrorDto(e.Row, e.Field, e.Message)));
                }
                if (errorCount > 0)
                    throw new ApiProblemException(422, "import_rejected", errors[0].Field,
                        $"{errorCount} of {rowsRead} rows are bad (first: row {errors[0].Row}, {errors[0].Field}: {errors[0].Message}); nothing was imported.")
                    { Errors = errors.Take(MaxErrorsReported).ToArray() };
                rowsRead = 0;
            }

            // The first record is read before the campaign moves to Importing: a file whose header or structure is broken
            // throws there and leaves the campaign as it was.
            using var records = Records().GetEnumerator();
            var any = records.MoveNext();
            var campaign = grains.GetGrain<ICampaignGrain>(campaignId);
            if (info.Status == CampaignStatus.Draft) await campaign.BeginImport();
            int created = 0, present = 0;
            var batch = new List<ImportRow>(ImportBatch);
            async Task Flush()
            {
                if (batch.Count == 0) return;
                var rowOf = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var r in batch) rowOf.TryAdd(r.InstanceId, r.Row);
                var result = await campaign.ImportInstances(batch.Select(r => new InstanceImport(
                    r.InstanceId, r.ImageFile, r.ImageWidth, r.ImageHeight, new BoxD(r.X0, r.Y0, r.X1, r.Y1), r.ClassName,
                    GroundTruth: r.GroundTruth?.ToWire())).ToArray());
                created += result.Created;
                present += result.AlreadyPresent;
                foreach (var x in result.Rejected)
                {
                    errorCount++;
                    if (errors.Count < MaxErrorsReported) errors.Add(new ImportRowErrorDto(rowOf.GetValueOrDefault(x.InstanceId), x.Field, x.Message));
                }
                batch.Clear();
            }

            for (; any; any = records.MoveNext())
            {
                cancellation.ThrowIfCancellationRequested();
                var record = records.Current;
                rowsRead++;
                if (record.Value is { } row)
                {
                    batch.Add(row);
                    if (batch.Count == ImportBatch) await Flush();
                    continue;
                }
                errorCount++;
                if (errors.Count < MaxErrorsReported) errors.AddRange(record.Errors.Select(e => new ImportRowErrorDto(e.Row, e.Field, e.Message)));
            }
            await Flush();
            loggers.CreateLogger("Import").LogInformation(
                "Imported {Created} instances into {CampaignId} ({Present} already present, {Errors} rows refused, {Rows} rows read)",
                created, campaignId, present, errorCount, rowsRead);
            return Results.Ok(new ImportReportDto(format, rowsRead, created, present, errors.OrderBy(e => e.Row).Take(MaxErrorsReported).ToArray()));
        }
        catch (InvalidDataException e)
        {
            throw new ApiProblemException(400, "malformed_file", "body", e.Message);
        }
    }

    /// <summary>Copies the request body to a temporary file (deleted on close), refusing it with 413 beyond <paramref name="maxBytes"/>.</summary>
    static async Task<FileStream> Spool(HttpContext http, long maxBytes, string dataFolder, CancellationToken cancellation)
    {
        if (http.Request.ContentLength is { } declared && declared > maxBytes)
            throw new ApiProblemException(413, "too_large", "body", $"The import file is {declared} bytes; at most {maxBytes} are taken (--Import:MaxBytes).");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = maxBytes;
        var folder = Path.Combine(dataFolder, "imports");
        Directory.CreateDirectory(folder);
        var spool = new FileStream(Path.Combine(folder, $"{Guid.NewGuid():N}.upload"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
            1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            var buffer = new byte[1 << 16];
            long total = 0;
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer, cancellation)) > 0)
            {
                total += read;
                if (total > maxBytes)
                    throw new ApiProblemException(413, "too_large", "body", $"The import file is larger than {maxBytes} bytes (--Import:MaxBytes); nothing was imported.");
                await spool.WriteAsync(buffer.AsMemory(0, read), cancellation);
            }
            if (total == 0) throw new ApiProblemException(400, RejectionCodes.Invalid, "body", "The import file is empty.");
            await spool.FlushAsync(cancellation);
            return spool;
        }
        catch
        {
            await spool.DisposeAsync();
            throw;
        }
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

    static async Task Export(string campaignId, string? format, string? status, double? minPredictedIoU, int? limit, string? after,
        HttpContext http, IGrainFactory grains, CancellationToken cancellation)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        if (format is not ("coco" or "openimages"))
            throw new ApiProblemException(400, RejectionCodes.Invalid, "format", $"format must be coco or openimages, got '{ProblemText.Shorten(format)}'.");
        InstanceStatus? only = null;
        if (status is not null)
        {
            only = Enum.GetValues<InstanceStatus>().Where(s => s != InstanceStatus.NotInitialized)
                .FirstOrDefault(s => string.Equals(Json.EnumName(s), status, StringComparison.Ordinal));
            if (only is null)
                throw new ApiProblemException(400, RejectionCodes.Invalid, "status",
                    $"status must be one of {string.Join(", ", Enum.GetValues<InstanceStatus>().Where(s => s != InstanceStatus.NotInitialized).Select(s => Json.EnumName(s)))}, got '{ProblemText.Shorten(status)}'.");
        }
        if (minPredictedIoU is { } min && !(min is >= 0 and <= 1))
            throw new ApiProblemException(400, RejectionCodes.Invalid, "minPredictedIoU", $"minPredictedIoU must be in [0, 1], got {min}.");
        if (limit is < 1)
            throw new ApiProblemException(400, RejectionCodes.Invalid, "limit", $"limit must be at least 1, got {limit}.");
        InstanceCursor? start = null;
        if (after is not null)
        {
            Json.RequireId(after, "after");
            start = await grains.GetGrain<ICampaignGrain>(campaignId).GetCursor(after)
                ?? throw new ApiProblemException(404, RejectionCodes.NotInitialized, "after", $"Instance {after} does not exist in campaign {campaignId}.");
        }

        var items = Items(grains, campaignId, info.Settings.ShardCount, only, minPredictedIoU, limit, start, cancellation);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{campaignId}-{format}.{(format == "coco" ? "json" : "zip")}\"";
        http.Response.ContentType = format == "coco" ? "application/json" : "application/zip";
        // Streamed: once the first bytes are out, a failure can only cut the download short (the client sees a truncated file).
        if (format == "coco") await CocoMaskExport.WriteAsync(items, http.Response.Body, cancellation);
        else await OpenImagesMaskExport.WriteAsync(items, http.Response.Body, cancellation);
    }

    /// <summary>The campaign's instances as export items, grouped by image, read page by page from the instance table.</summary>
    static async IAsyncEnumerable<MaskExportItem> Items(IGrainFactory grains, string campaignId, int shards, InstanceStatus? status,
        double? minPredictedIoU, int? limit, InstanceCursor? after,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        var campaign = grains.GetGrain<ICampaignGrain>(campaignId);
        var left = limit ?? int.MaxValue;
        // Every page is scored with the model of the export's start or newer; without a model no shard is asked at all.
        var modelVersion = (await grains.GetGrain<IRankingGrain>(campaignId).GetSummary()).ModelVersion;
        do
        {
            cancellation.ThrowIfCancellationRequested();
            var page = await campaign.GetInstances(after, ExportPage, status);
            // The model of the export's start (or a newer one) scores every mask, including those finished before any model existed.
            var predicted = new Dictionary<string, double>(StringComparer.Ordinal);
            var shardsOfPage = modelVersion == 0 ? Enumerable.Empty<IGrouping<int, string>>()
                : page.Items.Select(v => AnnotationKeys.ParseInstance(v.Key).InstanceId).GroupBy(id => ShardMap.ShardOf(id, shards));
            foreach (var group in shardsOfPage)
            {
                var scores = await grains.GetGrain<IQualityIndexGrain>(AnnotationKeys.CampaignShard(campaignId, group.Key))
                    .PredictedIoUs(group.ToArray(), modelVersion);
                foreach (var (id, p) in scores) predicted[id] = p;
            }
            foreach (var view in page.Items)
            {
                if (view.Spec is null) continue;
                var item = Item(view, predicted);
                if (minPredictedIoU is { } min && !(item.PredictedIoU >= min)) continue;
                yield return item;
                if (--left == 0) yield break;
            }
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
