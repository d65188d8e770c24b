using Simulator.Campaign;

namespace Simulator.Load;

/// <summary>What one load level measured.</summary>
/// <param name="Annotators">People working at once.</param>
/// <param name="Wall">From the first person's start to the last one's last answer (the level's seconds and the finishing of open tasks).</param>
/// <param name="Tasks">Answers submitted.</param>
/// <param name="Encoded">Previews whose model call had to compute an image embedding first.</param>
/// <param name="Retries">Calls sent again after a 5xx answer, a connection failure or a time-out.</param>
/// <param name="Throttled">Calls the server answered 429 (too many requests) and that were sent again after its Retry-After.</param>
/// <param name="Waits">Periods people spent with no task (from a "no task now" answer to the next task), in milliseconds.</param>
/// <param name="LongestWaitSeconds">The longest of them, or of a wait still open when the level ended.</param>
/// <param name="WaitsOverTarget">Waits longer than the target, including one still open when the level ended.</param>
/// <param name="RanOutOfWork">The campaign had no task left for someone before the level ended.</param>
public sealed record LoadLevelResult(
    int Annotators, TimeSpan Wall, int Tasks, int Clicks, int Encoded,
    PercentileSummary Next, PercentileSummary Preview, PercentileSummary Submit, PercentileSummary ServerDecoder, PercentileSummary ServerQueue,
    int Retries, int Throttled, PercentileSummary Waits, double LongestWaitSeconds, int WaitsOverTarget, bool RanOutOfWork, ServerUsage? Server,
    bool WithinTarget)
{
    /// <summary>Fewer previews than this in a level give no p95 worth judging.</summary>
    public const int MinPreviews = 20;
}
