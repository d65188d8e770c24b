using System.Globalization;
using System.Text;

namespace Simulator.Load;

/// <summary>
/// An SVG plot of p95 latency against the number of people working at once: preview, next and submit, the preview
/// target as a dashed line, and each level's server CPU under its label.
/// </summary>
public static class LoadPlot
{
    private sealed record Series(string Name, string Colour, Func<LoadLevelResult, double> Value);

    public static string Svg(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        const int width = 680, height = 440, left = 64, right = 150, top = 52, bottom = 70;
        var inv = CultureInfo.InvariantCulture;
        var levels = report.Levels;
        Series[] series =
        [
            new("preview p95", "#1f77b4", l => l.Preview.P95),
            new("preview p50", "#9ecae1", l => l.Preview.P50),
            new("next p95", "#2ca02c", l => l.Next.P95),
            new("submit p95", "#ff7f0e", l => l.Submit.P95),
        ];
        var target = report.Options.PreviewP95TargetMs;
        var highest = levels.SelectMany(l => series.Select(s => s.Value(l))).Where(double.IsFinite).Append(target).Max();
        var maxY = NiceCeiling(highest * 1.1);
        double X(int index) => levels.Count == 1 ? (left + width - right) / 2.0 : left + 30 + index * (width - left - right - 60.0) / (levels.Count - 1);
        double Y(double v) => top + (maxY - v) / maxY * (height - top - bottom);

        var svg = new StringBuilder();
        svg.AppendLine(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        var title = $"Latency at human pace, {report.Options.Campaign.Model} model";
        var subtitle = report.Capacity is { } c ? $"capacity: {c} people (preview p95 < {target:F0} ms, no wait over {report.Options.MaxWaitTargetSeconds:F0} s)"
            : $"no level within the targets (preview p95 < {target:F0} ms, no wait over {report.Options.MaxWaitTargetSeconds:F0} s)";
        svg.AppendLine(inv, $"<text x=\"{(left + width - right) / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>");
        svg.AppendLine(inv, $"<text x=\"{(left + width - right) / 2}\" y=\"38\" text-anchor=\"middle\" fill=\"#555\">{Escape(subtitle)}</text>");
        var step = maxY / 5;
        for (var t = 0.0; t <= maxY + 1e-9; t += step)
        {
            svg.AppendLine(inv, $"<line x1=\"{left}\" y1=\"{Y(t):F1}\" x2=\"{width - right}\" y2=\"{Y(t):F1}\" stroke=\"#ddd\"/>");
            svg.AppendLine(inv, $"<text x=\"{left - 6}\" y=\"{Y(t) + 4:F1}\" text-anchor=\"end\">{t:F0}</text>");
        }
        for (var i = 0; i < levels.Count; i++)
        {
            var l = levels[i];
            svg.AppendLine(inv, $"<text x=\"{X(i):F1}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\"{(l.WithinTarget ? "" : " fill=\"#d62728\"")}>{l.Annotators}</text>");
            if (l.Server is { } s)
                svg.AppendLine(inv, $"<text x=\"{X(i):F1}\" y=\"{height - bottom + 30}\" text-anchor=\"middle\" fill=\"#777\" font-size=\"10\">{s.CpuCores:F1} cores</text>");
        }
        svg.AppendLine(inv, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 14}\" text-anchor=\"middle\">people working at once (red: over target)</text>");
        svg.AppendLine(inv, $"<text x=\"16\" y=\"{(top + height - bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {(top + height - bottom) / 2})\">milliseconds</text>");
        svg.AppendLine(inv, $"<line x1=\"{left}\" y1=\"{Y(target):F1}\" x2=\"{width - right}\" y2=\"{Y(target):F1}\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/>");
        svg.AppendLine(inv, $"<text x=\"{width - right + 6}\" y=\"{Y(target) + 4:F1}\" fill=\"#d62728\">target {target:F0} ms</text>");
        var legendY = top + 10;
        foreach (var s in series)
        {
            var points = levels.Select((l, i) => (X: X(i), V: s.Value(l))).Where(p => double.IsFinite(p.V)).ToArray();
            if (points.Length == 0) continue;
            svg.AppendLine(inv, $"<polyline fill=\"none\" stroke=\"{s.Colour}\" stroke-width=\"2\" points=\"{string.Join(' ', points.Select(p => string.Create(inv, $"{p.X:F1},{Y(p.V):F1}")))}\"/>");
            foreach (var p in points)
                svg.AppendLine(inv, $"<circle cx=\"{p.X:F1}\" cy=\"{Y(p.V):F1}\" r=\"3\" fill=\"{s.Colour}\"><title>{s.Name}: {p.V:F0} ms</title></circle>");
            svg.AppendLine(inv, $"<line x1=\"{width - right + 6}\" y1=\"{legendY}\" x2=\"{width - right + 26}\" y2=\"{legendY}\" stroke=\"{s.Colour}\" stroke-width=\"2\"/>");
            svg.AppendLine(inv, $"<text x=\"{width - right + 30}\" y=\"{legendY + 4}\">{Escape(s.Name)}</text>");
            legendY += 18;
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="value"/>.</summary>
    private static double NiceCeiling(double value)
    {
        if (!(value > 0)) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var m in new[] { 1, 2, 5, 10 })
            if (m * power >= value) return m * power;
        return 10 * power;
    }

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
