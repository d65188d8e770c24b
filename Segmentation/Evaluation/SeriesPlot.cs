using System.Globalization;
using System.Text;

namespace Segmentation.Evaluation;

/// <summary>An SVG line plot of several series on shared axes, with a legend: one curve per compared setting.</summary>
public static class SeriesPlot
{
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

    public static string Svg(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series)
    {
        const int width = 720, height = 440, left = 60, right = 150, top = 40, bottom = 50;
        var inv = CultureInfo.InvariantCulture;
        var all = series.SelectMany(s => s.Points).ToArray();
        var maxX = all.Length == 0 ? 1 : Math.Max(1, Math.Ceiling(all.Max(p => p.X)));
        var minY = all.Length == 0 ? 0 : Math.Floor(Math.Min(all.Min(p => p.Y), 0.95) * 20) / 20;
        var maxY = all.Length == 0 ? 1 : Math.Min(1, Math.Ceiling(all.Max(p => p.Y) * 20) / 20);
        if (maxY <= minY) maxY = minY + 0.05;
        double X(double v) => left + v / maxX * (width - left - right);
        double Y(double v) => top + (maxY - v) / (maxY - minY) * (height - top - bottom);

        var svg = new StringBuilder();
        svg.AppendLine(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.AppendLine(inv, $"<text x=\"{(left + width - right) / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>");
        var yStep = maxY - minY > 0.3 ? 0.05 : 0.02;
        for (var t = minY; t <= maxY + 1e-9; t += yStep)
        {
            var y = Y(t);
            svg.AppendLine(inv, $"<line x1=\"{left}\" y1=\"{y:F1}\" x2=\"{width - right}\" y2=\"{y:F1}\" stroke=\"#ddd\"/>");
            svg.AppendLine(inv, $"<text x=\"{left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{t:F2}</text>");
        }
        var xStep = maxX > 12 ? 2 : 1;
        for (var c = 0; c <= maxX; c += xStep)
        {
            var x = X(c);
            svg.AppendLine(inv, $"<line x1=\"{x:F1}\" y1=\"{top}\" x2=\"{x:F1}\" y2=\"{height - bottom}\" stroke=\"#eee\"/>");
            svg.AppendLine(inv, $"<text x=\"{x:F1}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\">{c}</text>");
        }
        svg.AppendLine(inv, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 12}\" text-anchor=\"middle\">{Escape(xLabel)}</text>");
        svg.AppendLine(inv, $"<text x=\"16\" y=\"{(top + height - bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {(top + height - bottom) / 2})\">{Escape(yLabel)}</text>");
        // Curves that share their start (a schedule and its longer version) overlap: longer ones are drawn first and
        // wider, every other one dashed, so each stays visible.
        var order = Enumerable.Range(0, series.Count).OrderByDescending(i => series[i].Points.Count).ThenBy(i => i).ToArray();
        for (var rank = 0; rank < order.Length; rank++)
        {
            var i = order[rank];
            var colour = Colours[i % Colours.Length];
            var s = series[i];
            var dash = i % 2 == 1 ? " stroke-dasharray=\"7 4\"" : "";
            var stroke = order.Length > 1 ? 4.5 - 2.5 * rank / (order.Length - 1) : 2;
            var points = string.Join(' ', s.Points.Select(p => string.Create(inv, $"{X(p.X):F1},{Y(p.Y):F1}")));
            svg.AppendLine(inv, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"{stroke:F1}\"{dash} points=\"{points}\"/>");
            foreach (var (px, py) in s.Points)
                svg.AppendLine(inv, $"<circle cx=\"{X(px):F1}\" cy=\"{Y(py):F1}\" r=\"3.5\" fill=\"{colour}\"><title>{Escape(s.Name)}: {px:F2} clicks, {py:F4}</title></circle>");
        }
        for (var i = 0; i < series.Count; i++)
        {
            var colour = Colours[i % Colours.Length];
            var dash = i % 2 == 1 ? " stroke-dasharray=\"7 4\"" : "";
            var ly = top + 10 + i * 20;
            svg.AppendLine(inv, $"<line x1=\"{width - right + 14}\" y1=\"{ly}\" x2=\"{width - right + 38}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>");
            svg.AppendLine(inv, $"<text x=\"{width - right + 44}\" y=\"{ly + 4}\">{Escape(series[i].Name)}</text>");
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
