using Segmentation.Evaluation;

namespace Simulator;

/// <summary>
/// Progress on standard error: a redrawn bar on a terminal, otherwise one line every 5% so logs stay readable.
/// Safe to call from several threads.
/// </summary>
public sealed class ProgressBar(string label) : IProgress<EvaluationProgress>
{
    private readonly bool interactive = !Console.IsErrorRedirected;
    private readonly Lock gate = new();
    private int lastPercentPrinted = -1;

    public void Report(EvaluationProgress value) =>
        Report(value.Done, value.Total, value.Elapsed, $"skipped {value.Failed}, mean final IoU {value.MeanFinalIoU:F4}");

    /// <summary>"label done/total (p%), details, elapsed .., left ~.." with the time left extrapolated from the rate so far.</summary>
    public void Report(int done, int total, TimeSpan elapsed, string details)
    {
        var fraction = total == 0 ? 1 : (double)done / total;
        var percent = (int)(fraction * 100);
        var eta = done == 0 ? TimeSpan.Zero : elapsed / done * (total - done);
        var text = $"{label} {done}/{total} ({percent}%), {details}, elapsed {Format(elapsed)}, left ~{Format(eta)}";
        lock (gate)
        {
            if (interactive)
            {
                const int width = 30;
                var filled = (int)(fraction * width);
                Console.Error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}   ");
                if (done == total) Console.Error.WriteLine();
            }
            else if (percent / 5 != lastPercentPrinted / 5 || done == total)
            {
                lastPercentPrinted = percent;
                Console.Error.WriteLine(text);
            }
        }
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");
}
