using Segmentation.Evaluation.Datasets;
using Serilog;

namespace Simulator.Campaign;

/// <summary>
/// The campaign command: simulated annotators run a whole campaign on a running server through its HTTP API,
/// then the exported masks are scored against the ground truth.
/// </summary>
public static class CampaignCommand
{
    /// <param name="args">The options after the command word.</param>
    /// <param name="handler">The HTTP handler to use instead of the network (tests).</param>
    /// <param name="retry">The back-off between attempts of a failed request (default: 0.2 s doubling to 5 s).</param>
    public static int Run(string[] args, HttpMessageHandler? handler = null, RetryPolicy? retry = null)
    {
        var options = CampaignOptions.Parse(args);
        var dataset = LoadDataset(options);
        var instances = DatasetSubset.EveryNth(dataset.Instances, options.Every);
        CampaignPlan BuildPlan() => CampaignPlan.Build(instances, options.ImagesDir, options.Seed, options.Boxes, options.Rounds,
            options.ExtraClicks > 0 ? options.ExtraRoundsPerInstance : 0, sendGroundTruth: options.GroundTruthFraction > 0);
        var plan = BuildPlan();
        foreach (var problem in plan.Problems)
            Log.Warning("Skipped {Item}: {Message}", problem.Item, problem.Message);
        if (plan.Instances.Count == 0) throw new InvalidDataException("No instance to import: the dataset is empty or every item was rejected.");
        Log.Information("Campaign {Id}: {Count} instances (every {Every}) on {Api}", options.CampaignId, plan.Instances.Count, options.Every, options.Api);

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = options.Api;
        // The first campaign takes the plan built above; each further one (a budget strategy) a fresh one.
        var unused = plan;
        CampaignPlan NextPlan()
        {
            var next = unused ?? BuildPlan();
            unused = null;
            return next;
        }
        var study = new CampaignStudy(options, NextPlan, http, retry, id => RisingProgressSink.Bar(new ProgressBar("campaign " + id)));
        CampaignStudyResult outcome;
        try
        {
            outcome = study.RunAsync().GetAwaiter().GetResult();
        }
        finally
        {
            // The annotators' tokens were made for this run only.
            new CampaignApiClient(http, new MeasurementLog(), retry, options.Credentials).RevokeAnnotatorTokensAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        var first = outcome.First;
        var report = new CampaignReport(first with { Problems = [.. dataset.Problems, .. first.Problems] }, outcome.Ranking, outcome.Budget, outcome.Quality);

        Console.WriteLine(report.SummaryTable());
        var outDir = Path.GetDirectoryName(Path.GetFullPath(options.OutPath))!;
        Directory.CreateDirectory(outDir);
        File.WriteAllText(options.OutPath, report.ToJsonString());
        Log.Information("Wrote {Result}", options.OutPath);
        if (outcome.Ranking is { } ranking)
        {
            var plotPath = RankingCurvePlot.PathNextTo(options.OutPath);
            File.WriteAllText(plotPath, RankingCurvePlot.Svg(ranking, first.Options.CampaignId));
            Log.Information("Wrote {Plot}", plotPath);
        }
        return 0;
    }

    /// <summary>The dataset the options name (a mask folder or a COCO file), its unusable items logged.</summary>
    /// <exception cref="DirectoryNotFoundException">The image folder does not exist.</exception>
    public static LoadedDataset LoadDataset(CampaignOptions options)
    {
        if (!Directory.Exists(options.ImagesDir)) throw new DirectoryNotFoundException($"--images: folder not found: {options.ImagesDir}");
        var dataset = options.MasksDir is not null
            ? PairedFolderDataset.Load(options.ImagesDir, options.MasksDir, options.IgnoreValue)
            : CocoDataset.Load(options.CocoFile!, options.ImagesDir);
        foreach (var problem in dataset.Problems)
            Log.Warning("Skipping {Item}: {Message}", problem.Item, problem.Message);
        return dataset;
    }
}
