using Microsoft.ML.OnnxRuntime;

namespace Segmentation.Models.Onnx;

/// <summary>An ONNX Runtime session and whether it runs on the CUDA execution provider.</summary>
public sealed record OnnxSession(InferenceSession Session, bool UsesCuda);

/// <summary>
/// Creates ONNX Runtime sessions on CUDA when it is available, otherwise on the CPU, saying so in one log
/// line per model name (a SAM model's encoder and decoder share one).
/// </summary>
public static class OnnxSessionFactory
{
    // OrtEnv's log level is process-wide: CUDA probes are serialised so each restores what it found.
    private static readonly Lock EnvLogLevelLock = new();
    private static readonly HashSet<string> FallbackLogged = new(StringComparer.Ordinal);

    public static OnnxSession Create(string modelPath, string modelName, bool tryCuda = true, int cudaDeviceId = 0, int intraOpThreads = 0)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"ONNX model file for {modelName} not found: {modelPath}", modelPath);
        return Create(options => new InferenceSession(modelPath, options), modelPath, modelName, tryCuda, cudaDeviceId, intraOpThreads);
    }

    /// <summary>A session on a model held in memory (for example a rewritten graph); <paramref name="sourcePath"/> names it in errors.</summary>
    public static OnnxSession Create(byte[] model, string sourcePath, string modelName, bool tryCuda = true, int cudaDeviceId = 0, int intraOpThreads = 0) =>
        Create(options => new InferenceSession(model, options), sourcePath, modelName, tryCuda, cudaDeviceId, intraOpThreads);

    private static OnnxSession Create(Func<SessionOptions, InferenceSession> open, string modelPath, string modelName, bool tryCuda, int cudaDeviceId, int intraOpThreads)
    {
        if (!tryCuda) return new OnnxSession(CreateCpuSession(open, modelPath, modelName, intraOpThreads), false);

        string reason;
        lock (EnvLogLevelLock)
        {
            var env = OrtEnv.Instance();
            var previousLevel = env.EnvLogLevel;
            // The native library prints its own error when the CUDA libraries are missing; our one line says it instead.
            env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
            try
            {
                using var cudaOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
                cudaOptions.AppendExecutionProvider_CUDA(cudaDeviceId);
                return new OnnxSession(open(cudaOptions), true);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                reason = FirstLine(ex.Message);
            }
            finally
            {
                env.EnvLogLevel = previousLevel;
            }
        }

        // If the CPU session fails too, the model itself is at fault and that error is what the caller sees.
        var cpuSession = CreateCpuSession(open, modelPath, modelName, intraOpThreads);
        bool firstForModel;
        lock (FallbackLogged) firstForModel = FallbackLogged.Add(modelName);
        if (firstForModel)
            Serilog.Log.Information("CUDA execution provider unavailable ({Reason}); running {Model} on CPU", reason, modelName);
        return new OnnxSession(cpuSession, false);
    }

    private static InferenceSession CreateCpuSession(Func<SessionOptions, InferenceSession> open, string modelPath, string modelName, int intraOpThreads)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (intraOpThreads > 0) options.IntraOpNumThreads = intraOpThreads;
        try
        {
            return open(options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"{modelName}: '{modelPath}' is not a loadable ONNX model: {FirstLine(ex.Message)}", ex);
        }
    }

    private static string FirstLine(string message)
    {
        var trimmed = message.Trim();
        var newline = trimmed.IndexOfAny(['\r', '\n']);
        return newline < 0 ? trimmed : trimmed[..newline];
    }
}
