using System.Diagnostics;
using Segmentation.Masks;
using Segmentation.Simulation;
using Serilog;

namespace Simulator.Campaign;

/// <summary>What the annotators of one run share: the plan, the measurements, progress and counters.</summary>
public sealed class CampaignRunState
{
    private readonly Stopwatch sinceStart = new();
    private readonly IProgressSink? progress;
    private int finished;
    private int submits;
    private long completedTicks = -1;

    private readonly bool extraPhase;

    /// <param name="extraPhase">
    /// The run answers extra rounds after the regular ones: progress is the extra clicks spent, not instances finished.
    /// </param>
    public CampaignRunState(CampaignOptions options, CampaignPlan plan, CampaignApiClient api, IProgressSink? progress = null, bool extraPhase = false)
    {
        this.extraPhase = extraPhase;
        Options = options;
        Plan = plan;
        Api = api;
        this.progress = progress;
        ClickSimulator = new ClickSimulator(options.Clicks);
    }

    public CampaignOptions Options { get; }
    public CampaignPlan Plan { get; }
    public CampaignApiClient Api { get; }
    public ClickSimulator ClickSimulator { get; }
    public MeasurementLog Measurements => Api.Measurements;

    public int Finished => Volatile.Read(ref finished);
    public int Submits => Volatile.Read(ref submits);

    /// <summary>From <see cref="MarkStarted"/> to the first progress answer with complete = true (or now).</summary>
    public TimeSpan Wall
    {
        get
        {
            var ticks = Interlocked.Read(ref completedTicks);
            return ticks >= 0 ? TimeSpan.FromTicks(ticks) : sinceStart.Elapsed;
        }
    }

    public void MarkStarted() => sinceStart.Restart();

    private readonly Lock paintingGate = new();
    private readonly List<double> paintingIoUs = [];
    private int paintingSkips;

    /// <summary>A painting submitted, with its IoU with the true mask; null for a painting task skipped.</summary>
    public void CountPainting(double? iouWithTruth)
    {
        lock (paintingGate)
        {
            if (iouWithTruth is { } iou) paintingIoUs.Add(iou);
            else paintingSkips++;
        }
    }

    /// <summary>The IoU with the true mask of every painting submitted, and the painting tasks skipped.</summary>
    public (IReadOnlyList<double> IoUs, int Skips) Paintings
    {
        get
        {
            lock (paintingGate) return (paintingIoUs.ToArray(), paintingSkips);
        }
    }

    public void MarkComplete() => Interlocked.CompareExchange(ref completedTicks, sinceStart.Elapsed.Ticks, -1);

    public void CountSubmit(bool finishedInstance)
    {
        var s = Interlocked.Increment(ref submits);
        var f = finishedInstance ? Interlocked.Increment(ref finished) : Finished;
        if (finishedInstance && !extraPhase) progress?.Report(f, Plan.Instances.Count, sinceStart.Elapsed, $"{s} submits");
    }

    /// <summary>
    /// A progress answer seen by an annotator. In the regular rounds completion completes the progress line; in the
    /// extra phase each answer reports the clicks the server counts as spent.
    /// </summary>
    public void Observe(ProgressDto p)
    {
        if (extraPhase)
        {
            if (p.ExtraRounds is { } e)
                progress?.Report(e.ClicksSpent, e.Clicks ?? Options.ExtraClicks, sinceStart.Elapsed,
                    $"{e.RoundsFinished} of {e.RoundsGranted} extra rounds finished, {Submits} submits{(p.Complete ? ", complete" : "")}");
            return;
        }
        if (p.Complete) progress?.Report(Plan.Instances.Count, Plan.Instances.Count, sinceStart.Elapsed, $"{Submits} submits, complete");
    }
}

/// <summary>Receives "instances finished / total" while the campaign runs.</summary>
public interface IProgressSink
{
    void Report(int done, int total, TimeSpan elapsed, string details);
}

/// <summary>Passes a report on only when the count has risen since the last one passed on (annotators report concurrently).</summary>
public sealed class RisingProgressSink(Action<int, int, TimeSpan, string> write) : IProgressSink
{
    private readonly Lock gate = new();
    private int last = -1;

    /// <summary>A progress bar line.</summary>
    public static RisingProgressSink Bar(ProgressBar bar) => new(bar.Report);

    /// <summary>One log line per rise: for the extra phase, whose total (the budget) is rarely reached.</summary>
    public static RisingProgressSink Log(string label) => new((done, total, elapsed, details) =>
        Serilog.Log.Information("{Label}: {Done} of {Total} clicks spent, {Details}, elapsed {Elapsed:F0} s", label, done, total, details, elapsed.TotalSeconds));

    public void Report(int done, int total, TimeSpan elapsed, string details)
    {
        lock (gate)
        {
            if (done <= last) return;
            last = done;
            write(done, total, elapsed, details);
        }
    }
}

/// <summary>
/// One simulated annotator: asks for the next task until the campaign is complete, answers each with the
/// instance's simulated corrective clicks (previewing them first when asked to), and submits.
/// </summary>
public sealed class SimulatedAnnotator(string annotatorId, CampaignRunState state)
{
    /// <summary>The wait after a 204 without Retry-After.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromMilliseconds(200);

    readonly bool careless = state.Options.CarelessAnnotatorIds.Contains(annotatorId);
    readonly bool painter = state.Options.PainterIds.Contains(annotatorId);

    public string Id => annotatorId;

    public async Task RunAsync(CancellationToken ct)
    {
        var campaignId = state.Options.CampaignId;
        while (true)
        {
            // A painter paints whatever waits for painting first, then annotates.
            if (painter && await PaintNextAsync(ct)) continue;
            NextResult next;
            try
            {
                next = await state.Api.NextAsync(campaignId, annotatorId, ct);
            }
            catch (CampaignApiException ex) when (ex.Status == System.Net.HttpStatusCode.Conflict)
            {
                // "Not running": fine when the campaign has just completed (a server may finish it then), an error otherwise.
                var after = await state.Api.ProgressAsync(campaignId, ct);
                if (!after.Complete) throw;
                state.Observe(after);
                state.MarkComplete();
                return;
            }
            if (next.Task is { } task)
            {
                await AnswerAsync(task, ct);
                continue;
            }
            var progress = await state.Api.ProgressAsync(campaignId, ct);
            state.Observe(progress);
            if (progress.Complete)
            {
                state.MarkComplete();
                // References still waiting are painted before the painter stops.
                while (painter && await PaintNextAsync(ct)) { }
                return;
            }
            await Task.Delay(next.RetryAfter ?? DefaultRetryAfter, ct);
        }
    }

    /// <summary>Paints the next painting task, if there is one: the true mask with boundary noise. False when there was none.</summary>
    private async Task<bool> PaintNextAsync(CancellationToken ct)
    {
        var campaignId = state.Options.CampaignId;
        var next = await state.Api.PaintNextAsync(campaignId, annotatorId, ct);
        if (next.Task is not { } task) return false;
        var received = Stopwatch.StartNew();
        var instance = state.Plan.Find(task.InstanceId)
            ?? throw new CampaignFailedException($"The server handed painter {annotatorId} instance '{task.InstanceId}', which this run did not import.");
        if (task.ImageWidth != instance.Width || task.ImageHeight != instance.Height)
            throw new CampaignFailedException(
                $"The painting task for instance {task.InstanceId} is {task.ImageWidth}x{task.ImageHeight}; the image is {instance.Width}x{instance.Height} (w x h).");
        var truth = instance.LoadTruth();
        // The same painting for the same instance and pass in every run with this seed.
        var rng = new Random(unchecked(state.Options.Seed * 1_000_003 + (int)instance.AnnotationId * 31 + task.Pass));
        var painted = PaintedReference.Paint(truth.Mask, state.Options.PaintingNoisePx, rng);
        var submissionId = $"paint-{task.InstanceId}-{task.Pass}-{annotatorId}";
        if (painted.IsEmpty)
        {
            await state.Api.PaintSkipAsync(campaignId, annotatorId, task.InstanceId, new PaintSkipRequest(submissionId, received.Elapsed.TotalSeconds, "too_small"), ct);
            state.CountPainting(null);
            return true;
        }
        var result = await state.Api.PaintSubmitAsync(campaignId, annotatorId, task.InstanceId,
            new PaintSubmitRequest(submissionId, ApiMask.FromMask(painted), received.Elapsed.TotalSeconds), ct);
        if (!result.HasReference)
            throw new CampaignFailedException($"Instance {task.InstanceId} has no reference after {annotatorId} painted it.");
        state.CountPainting(MaskMetrics.IoU(painted, truth.Mask, truth.Ignore));
        return true;
    }

    private async Task AnswerAsync(AnnotationTaskDto task, CancellationToken ct)
    {
        var received = Stopwatch.StartNew();
        var instance = state.Plan.Find(task.InstanceId)
            ?? throw new CampaignFailedException($"The server handed {annotatorId} a task for instance '{task.InstanceId}', which this run did not import.");
        if (task.Round < 1 || task.Round > instance.Trajectory.LastRound)
            throw new CampaignFailedException(
                $"The server handed {annotatorId} round {task.Round} of instance {task.InstanceId}; the campaign has rounds 1..{instance.Trajectory.Rounds}" +
                $" and up to {instance.Trajectory.LastRound - instance.Trajectory.Rounds} extra rounds.");
        if (task.Mask is null)
            throw new CampaignFailedException($"The task for instance {task.InstanceId}, round {task.Round} has no mask.");
        if (task.MaxClicks < 1)
            throw new CampaignFailedException($"The task for instance {task.InstanceId}, round {task.Round} allows {task.MaxClicks} clicks.");

        var mask = task.Mask.Decode();
        var answer = instance.Answer(task.Round, mask, task.MaxClicks, state.ClickSimulator, careless);
        var clicks = answer.Clicks.Select(ApiClick.From).ToArray();
        if (clicks.Length > 0 && state.Options.Preview)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var preview = await state.Api.PreviewAsync(state.Options.CampaignId, annotatorId, task.InstanceId,
                new PreviewRequest(task.Round, clicks), ct);
            var latency = watch.Elapsed.TotalMilliseconds;
            if (preview.Timing is { } timing)
            {
                state.Measurements.Record("server.decoder", timing.DecoderMs);
                // Warm: the image embedding and the previous round's state were already in the server's memory.
                if (timing.EncoderMs == 0 && timing.ReplayedRounds == 0)
                {
                    state.Measurements.Record("preview.warm", latency);
                    state.Measurements.Record("server.decoder.warm", timing.DecoderMs);
                    state.Measurements.Record("preview.warm.overhead", latency - timing.DecoderMs);
                    // Where the rest of a warm preview's time goes: waiting for a model slot, the inference grain's work
                    // besides the decoder, the silo's grain calls and the gateway, and the HTTP exchange.
                    state.Measurements.Record("preview.warm.queue", timing.QueueMs);
                    state.Measurements.Record("preview.warm.inference_other", timing.ModelMs - timing.QueueMs - timing.DecoderMs);
                    state.Measurements.Record("preview.warm.silo_and_gateway", timing.ServerMs - timing.ModelMs);
                    state.Measurements.Record("preview.warm.outside_server", latency - timing.ServerMs);
                }
            }
        }
        var request = new SubmitRequest(answer.SubmissionId, task.Round, clicks, received.Elapsed.TotalSeconds);
        var response = await state.Api.SubmitAsync(state.Options.CampaignId, annotatorId, task.InstanceId, request, ct);
        if (response.SubmissionId != answer.SubmissionId || response.Round != task.Round)
            Log.Warning("Submission {Id} for instance {Instance} round {Round} was answered for submission {Answered}, round {AnsweredRound}",
                answer.SubmissionId, task.InstanceId, task.Round, response.SubmissionId, response.Round);
        var expected = clicks.Length == 0 ? "accepted" : "corrected";
        if (response.Outcome != expected)
            Log.Warning("Instance {Instance} round {Round}: {Clicks} clicks were answered with outcome {Outcome}",
                task.InstanceId, task.Round, clicks.Length, response.Outcome);
        state.CountSubmit(instance.Submitted(answer, response.Outcome));
    }
}
