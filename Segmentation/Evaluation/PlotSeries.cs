namespace Segmentation.Evaluation;

/// <summary>One named line of a <see cref="SeriesPlot"/>: (x, y) points in order.</summary>
public sealed record PlotSeries(string Name, IReadOnlyList<(double X, double Y)> Points);
