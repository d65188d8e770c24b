using System.Globalization;
using System.Text;

namespace Simulator.Campaign;

/// <summary>
/// An SVG line plot of the held-out top-N% curve: the mean true IoU of the N% of masks with the highest predicted IoU,
/// N = 10..100, with a dashed line at the mean over all of them (what a ranking without information would give).
/// </summary>
public static class RankingCurvePlot
{
    public static string Svg(RankingSummary ranking, string campaignId)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        const int width = 640, height = 420, left = 60, right = 20, top = 52, bottom = 50;
        const double minX = 10, maxX = 100, maxY = 1.0;
        var inv = CultureInfo.InvariantCulture;
        var points = ranking.TopPercent;
        var all = ranking.AllMeanIoU;
        var lowest = points.Select(p => p.MeanTrueIoU).Append(double.IsFinite(all) ? all : maxY).DefaultIfEmpty(maxY).Min();
        var minY = Math.Min(Math.Floor(lowest * 10) / 10, 0.9);
        double X(double v) => left + (v - minX) / (maxX - minX) * (width - left - right);
        double Y(double v) => top + (maxY - v) / (maxY - minY) * (height - top - bottom);

        var svg = new StringBuilder();
        svg.AppendLine(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        var title = $"{campaignId}: mIoU of the top N% by predicted IoU";
        var subtitle = string.Create(inv,
            $"quality model M_r version {ranking.Snapshot.ModelVersion}, {ranking.Pairs.Count} held-out masks, Spearman {ranking.Spearman:F3}");
        svg.AppendLine(inv, $"<text x=\"{width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>");
        svg.AppendLine(inv, $"<text x=\"{width / 2}\" y=\"38\" text-anchor=\"middle\" fill=\"#555\">{Escape(subtitle)}</text>");
        var step = maxY - minY > 0.5 ? 0.1 : 0.05;
        for (var t = minY; t <= maxY + 1e-9; t += step)
        {
            var y = Y(t);
            svg.AppendLine(inv, $"<line x1=\"{left}\" y1=\"{y:F1}\" x2=\"{width - right}\" y2=\"{y:F1}\" stroke=\"#ddd\"/>");
            svg.AppendLine(inv, $"<text x=\"{left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{t:F2}</text>");
        }
        for (var n = 10; n <= 100; n += 10)
        {
            var x = X(n);
            svg.AppendLine(inv, $"<line x1=\"{x:F1}\" y1=\"{top}\" x2=\"{x:F1}\" y2=\"{height - bottom}\" stroke=\"#eee\"/>");
            svg.AppendLine(inv, $"<text x=\"{x:F1}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\">{n}</text>");
        }
        svg.AppendLine(inv, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 12}\" text-anchor=\"middle\">top N% of masks by predicted IoU</text>");
        svg.AppendLine(inv, $"<text x=\"16\" y=\"{(top + height - bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {(top + height - bottom) / 2})\">mean true IoU</text>");
        if (double.IsFinite(all))
        {
            var y = Y(all);
            svg.AppendLine(inv, $"<line x1=\"{left}\" y1=\"{y:F1}\" x2=\"{width - right}\" y2=\"{y:F1}\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"><title>all: mIoU {all:F4}</title></line>");
            svg.AppendLine(inv, $"<text x=\"{left + 6}\" y=\"{y - 5:F1}\" fill=\"#d62728\">all {all:F4}</text>");
        }
        var line = string.Join(' ', points.Select(p => string.Create(inv, $"{X(p.Percent):F1},{Y(p.MeanTrueIoU):F1}")));
        svg.AppendLine(inv, $"<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"{line}\"/>");
        foreach (var p in points)
            svg.AppendLine(inv, $"<circle cx=\"{X(p.Percent):F1}\" cy=\"{Y(p.MeanTrueIoU):F1}\" r=\"3\" fill=\"#1f77b4\"><title>top {p.Percent}% ({p.Instances} masks): mIoU {p.MeanTrueIoU:F4}</title></circle>");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    /// <summary>The plot's file next to the result JSON: <c>results/run.json</c> gives <c>results/run-ranking.svg</c>.</summary>
    public static string PathNextTo(string jsonPath) => Path.ChangeExtension(jsonPath, null) + "-ranking.svg";

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
