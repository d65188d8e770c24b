using Segmentation.Evaluation.Datasets;
using Serilog;
using Segmentation.Simulation;

namespace Simulator;

/// <summary>The options the <c>eval</c> and <c>campaign</c> commands share: the data set and the simulated annotator.</summary>
public static class SimulatedAnnotatorOptions
{
    /// <summary>Paired folders (<c>--masks</c>, with an optional <c>--ignore-value</c>) or a COCO file (<c>--coco</c>), images in <c>--images</c>.</summary>
    public static (string ImagesDir, string? MasksDir, string? CocoFile, int? IgnoreValue) Dataset(CommandLine cli)
    {
        var imagesDir = cli.Required("images");
        var masksDir = cli.Optional("masks");
        var cocoFile = cli.Optional("coco");
        if ((masksDir is null) == (cocoFile is null))
            throw new UsageException("Give exactly one of --masks DIR or --coco FILE.");
        var ignoreValue = cli.Optional("ignore-value") is null ? (int?)null : cli.Int("ignore-value", 0, 1, 255);
        if (ignoreValue is not null && masksDir is null)
            throw new UsageException("--ignore-value applies to --masks folders only.");
        return (imagesDir, masksDir, cocoFile, ignoreValue);
    }

    public static ClickSimulatorOptions Clicks(CommandLine cli) => new(
        MinRegionArea: cli.Int("min-region", 100, 1),
        NoiseSigmaPx: cli.Double("click-noise", 3, 0, 1000),
        Strategy: cli.Choice("click-strategy", ClickStrategy.Center),
        MinRegionThicknessPx: cli.Double("min-region-thickness", 10, 0, 1000));

    /// <summary>Loads the dataset and keeps every n-th instance, warning about each item it had to skip; refuses an empty result.</summary>
    public static (IReadOnlyList<EvaluationInstance> Instances, IReadOnlyList<DatasetProblem> Problems) LoadInstances(
        string imagesDir, string? masksDir, string? cocoFile, int? ignoreValue, int every, int offset = 0)
    {
        if (!Directory.Exists(imagesDir)) throw new DirectoryNotFoundException($"--images: folder not found: {imagesDir}");
        var dataset = masksDir is not null
            ? PairedFolderDataset.Load(imagesDir, masksDir, ignoreValue)
            : CocoDataset.Load(cocoFile!, imagesDir);
        var instances = DatasetSubset.EveryNth(dataset.Instances, every, offset);
        foreach (var problem in dataset.Problems)
            Log.Warning("Skipping {Item}: {Message}", problem.Item, problem.Message);
        if (instances.Count == 0) throw new InvalidDataException("No instance to run: the dataset is empty or every item was rejected.");
        return (instances, dataset.Problems);
    }

    public static NoisyBoxSimulatorOptions Boxes(CommandLine cli) => new(SigmaFraction: cli.Double("box-noise", 0.1, 0, 10));
}
