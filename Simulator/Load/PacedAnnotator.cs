using System.Diagnostics;
using Simulator.Campaign;

namespace Simulator.Load;

/// <summary>What the people of one load level share: the plan, the API client with its measurements, the pace.</summary>
public sealed class LoadLevelState(LoadOptions options, CampaignPlan plan, CampaignApiClient api, Stopwatch clock)
{
    private readonly Lock gate = new();
    private readonly List<double> waits = [];
    private double longestWait;
    private int tasks, clicks, encoded, waitsOverTarget;
    private bool ranOut;

    public LoadOptions Options => options;
    public CampaignPlan Plan => plan;
    public CampaignApiClient Api => api;
    public Segmentation.Simulation.ClickSimulator ClickSimulator { get; } = new(options.Campaign.Clicks);

    /// <summary>Since the level started.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    public void RecordWait(TimeSpan wait, bool closed)
    {
        lock (gate)
        {
            if (closed) waits.Add(wait.TotalMilliseconds);
            longestWait = Math.Max(longestWait, wait.TotalSeconds);
            if (wait.TotalSeconds > options.MaxWaitTargetSeconds) waitsOverTarget++;
        }
    }

    public void RecordTask(int clickCount, int encodedPreviews)
    {
        lock (gate)
        {
            tasks++;
            clicks += clickCount;
            encoded += encodedPreviews;
        }
    }

    public void MarkRanOut()
    {
        lock (gate) ranOut = true;
    }

    public (IReadOnlyList<double> Waits, double Longest, int WaitsOverTarget, int Tasks, int Clicks, int Encoded, bool RanOut) Totals()
    {
        lock (gate) return ([.. waits], longestWait, waitsOverTarget, tasks, clicks, encoded, ranOut);
    }
}

/// <summary>
/// One simulated person at human pace: asks for a task, thinks, clicks one corrective click at a time with a preview
/// after each (or accepts after a look), submits, and asks again, until the level's time is up; a task in hand is
/// finished. The clicks are the campaign simulator's for the instance and round.
/// </summary>
public sealed class PacedAnnotator(string annotatorId, LoadLevelState state, Random random)
{
    private static readonly TimeSpan CompletionCheckEvery = TimeSpan.FromSeconds(5);

    /// <summary>Works until <paramref name="until"/> (measured on the level's clock).</summary>
    public async Task RunAsync(TimeSpan until, CancellationToken ct)
    {
        var campaignId = state.Options.Campaign.CampaignId;
        // While waiting, ask again at least four times per wait target, so a wait measures the lack of work and not the
        // polling interval (the server's Retry-After is 1 s).
        var poll = TimeSpan.FromSeconds(state.Options.MaxWaitTargetSeconds / 4);
        TimeSpan? waitingSince = null;
        var lastCompletionCheck = TimeSpan.Zero;
        // People do not all sit down in the same second.
        await Task.Delay(TimeSpan.FromSeconds(random.NextDouble() * state.Options.Pace.AcceptSeconds), ct);
        while (state.Elapsed < until)
        {
            var asked = state.Elapsed;
            var next = await state.Api.NextAsync(campaignId, annotatorId, ct);
            if (next.Task is { } task)
            {
                if (waitingSince is { } since) state.RecordWait(state.Elapsed - since, closed: true);
                waitingSince = null;
                await AnswerAsync(task, ct);
                continue;
            }
            if (waitingSince is null)
            {
                // The wait began when the person asked and got nothing.
                waitingSince = asked;
                lastCompletionCheck = asked;
            }
            if (state.Elapsed - lastCompletionCheck >= CompletionCheckEvery)
            {
                lastCompletionCheck = state.Elapsed;
                var progress = await state.Api.ProgressAsync(campaignId, ct);
                if (progress.Complete)
                {
                    state.MarkRanOut();
                    break;
                }
            }
            var pause = next.RetryAfter is { } after && after < poll ? after : poll;
            var left = until - state.Elapsed;
            if (left <= TimeSpan.Zero) break;
            await Task.Delay(pause < left ? pause : left, ct);
        }
        if (waitingSince is { } open) state.RecordWait(state.Elapsed - open, closed: false);
    }

    private async Task AnswerAsync(AnnotationTaskDto task, CancellationToken ct)
    {
        var received = Stopwatch.StartNew();
        var instance = state.Plan.Find(task.InstanceId)
            ?? throw new CampaignFailedException($"The server handed {annotatorId} a task for instance '{task.InstanceId}', which this run did not import.");
        if (task.Mask is null) throw new CampaignFailedException($"The task for instance {task.InstanceId}, round {task.Round} has no mask.");
        var answer = instance.Answer(task.Round, task.Mask.Decode(), task.MaxClicks, state.ClickSimulator);
        var clicks = answer.Clicks.Select(ApiClick.From).ToArray();
        var encoded = 0;
        for (var k = 0; k < clicks.Length; k++)
        {
            await Task.Delay(state.Options.Pace.Before(k, clicks.Length, random), ct);
            var preview = await state.Api.PreviewAsync(state.Options.Campaign.CampaignId, annotatorId, task.InstanceId,
                new PreviewRequest(task.Round, clicks[..(k + 1)]), ct);
            if (preview.Timing is { } timing)
            {
                state.Api.Measurements.Record("server.decoder", timing.DecoderMs);
                state.Api.Measurements.Record("server.queue", timing.QueueMs);
                if (timing.EncoderMs > 0) encoded++;
            }
        }
        if (clicks.Length == 0) await Task.Delay(state.Options.Pace.Before(0, 0, random), ct);
        var request = new SubmitRequest(answer.SubmissionId, task.Round, clicks, received.Elapsed.TotalSeconds);
        var response = await state.Api.SubmitAsync(state.Options.Campaign.CampaignId, annotatorId, task.InstanceId, request, ct);
        instance.Submitted(answer, response.Outcome);
        state.RecordTask(clicks.Length, encoded);
    }
}
