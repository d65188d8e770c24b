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

    public static NoisyBoxSimulatorOptions Boxes(CommandLine cli) => new(SigmaFraction: cli.Double("box-noise", 0.1, 0, 10));
}
