using System.Globalization;
using System.Text;

namespace Segmentation.Evaluation;

/// <summary>An SVG line plot of mean IoU against the mean number of clicks so far.</summary>
public static class ClickCurvePlot
{
    public static string Svg(EvaluationReport report)
    {
        const int width = 640, height = 420, left = 60, right = 20, top = 40, bottom = 50;
        var inv = CultureInfo.InvariantCulture;
        var xs = report.MeanCumulativeClicksPerStep;
        var ys = report.MeanIoUPerStep;
        var maxX = Math.Max(1, Math.Ceiling(xs.Count > 0 ? xs.Max() : 1));
        var minY = ys.Count > 0 ? Math.Floor(Math.Min(ys.Min(), 0.9) * 10) / 10 : 0;
        const double maxY = 1.0;
        double X(double v) => left + v / maxX * (width - left - right);
        double Y(double v) => top + (maxY - v) / (maxY - minY) * (height - top - bottom);

        var svg = new StringBuilder();
        svg.AppendLine(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        var title = $"{report.ModelName}: mIoU vs clicks ({report.Settings.Kind.ToString().ToLowerInvariant()}, {report.Instances.Count} instances)";
        svg.AppendLine(inv, $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>");
        for (var t = minY; t <= maxY + 1e-9; t += 0.05)
        {
            var y = Y(t);
            svg.AppendLine(inv, $"<line x1=\"{left}\" y1=\"{y:F1}\" x2=\"{width - right}\" y2=\"{y:F1}\" stroke=\"#ddd\"/>");
            svg.AppendLine(inv, $"<text x=\"{left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{t:F2}</text>");
        }
        var step = maxX > 12 ? 2 : 1;
        for (var c = 0; c <= maxX; c += step)
        {
            var x = X(c);
            svg.AppendLine(inv, $"<line x1=\"{x:F1}\" y1=\"{top}\" x2=\"{x:F1}\" y2=\"{height - bottom}\" stroke=\"#eee\"/>");
            svg.AppendLine(inv, $"<text x=\"{x:F1}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\">{c}</text>");
        }
        svg.AppendLine(inv, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 12}\" text-anchor=\"middle\">mean number of clicks</text>");
        svg.AppendLine(inv, $"<text x=\"16\" y=\"{(top + height - bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {(top + height - bottom) / 2})\">mean IoU</text>");
        var points = string.Join(' ', xs.Zip(ys).Select(p => string.Create(inv, $"{X(p.First):F1},{Y(p.Second):F1}")));
        svg.AppendLine(inv, $"<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"{points}\"/>");
        foreach (var (cx, cy) in xs.Zip(ys))
            svg.AppendLine(inv, $"<circle cx=\"{X(cx):F1}\" cy=\"{Y(cy):F1}\" r=\"3\" fill=\"#1f77b4\"><title>{cx:F2} clicks: mIoU {cy:F4}</title></circle>");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
