namespace Segmentation.Evaluation;

/// <summary>An SVG line plot of mean IoU against the mean number of clicks so far, for one evaluation run.</summary>
public static class ClickCurvePlot
{
    public static string Svg(EvaluationReport report)
    {
        var title = $"{report.ModelName}: mIoU vs clicks ({report.Settings.Kind.ToString().ToLowerInvariant()}, {report.Instances.Count} instances)";
        var points = report.MeanCumulativeClicksPerStep.Zip(report.MeanIoUPerStep, (x, y) => (x, y)).ToArray();
        return SeriesPlot.Svg(title, "mean number of clicks", "mean IoU", [new PlotSeries(report.ModelName, points)]);
    }
}
