using Segmentation.Evaluation;

namespace Simulator;

/// <summary>
/// Progress on standard error: a redrawn bar on a terminal, otherwise one line every 5% so logs stay readable.
/// </summary>
public sealed class ProgressBar(string label) : IProgress<EvaluationProgress>
{
    private readonly bool interactive = !Console.IsErrorRedirected;
    private int lastPercentPrinted = -1;

    public void Report(EvaluationProgress value)
    {
        var fraction = value.Total == 0 ? 1 : (double)value.Done / value.Total;
        var percent = (int)(fraction * 100);
        var eta = value.Done == 0 ? TimeSpan.Zero : value.Elapsed / value.Done * (value.Total - value.Done);
        var text = $"{label} {value.Done}/{value.Total} ({percent}%), skipped {value.Failed}, mean final IoU {value.MeanFinalIoU:F4}, elapsed {Format(value.Elapsed)}, left ~{Format(eta)}";
        if (interactive)
        {
            const int width = 30;
            var filled = (int)(fraction * width);
            Console.Error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}   ");
            if (value.Done == value.Total) Console.Error.WriteLine();
        }
        else if (percent / 5 != lastPercentPrinted / 5 || value.Done == value.Total)
        {
            lastPercentPrinted = percent;
            Console.Error.WriteLine(text);
        }
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");
}
