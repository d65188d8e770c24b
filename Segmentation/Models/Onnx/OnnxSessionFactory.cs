using Microsoft.ML.OnnxRuntime;
using Serilog;

namespace Segmentation.Models.Onnx;

/// <summary>Creates ONNX Runtime sessions on CUDA when it is available, otherwise on the CPU.</summary>
public static class OnnxSessionFactory
{
    private static readonly object CudaProbeLock = new();
    private static bool? cudaAvailable;
    private static string? cudaFailure;

    public static InferenceSession Create(string modelPath, string modelName, int intraOpThreads = 0)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"ONNX model file for {modelName} not found: {modelPath}", modelPath);

        if (TryCudaOptions(out var cudaOptions))
        {
            try
            {
                return new InferenceSession(modelPath, cudaOptions);
            }
            finally
            {
                cudaOptions.Dispose();
            }
        }

        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (intraOpThreads > 0) options.IntraOpNumThreads = intraOpThreads;
        try
        {
            return new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"{modelName}: '{modelPath}' is not a loadable ONNX model: {ex.Message}", ex);
        }
        finally
        {
            options.Dispose();
        }
    }

    private static bool TryCudaOptions(out SessionOptions options)
    {
        lock (CudaProbeLock)
        {
            options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            if (cudaAvailable == false) return false;

            var env = OrtEnv.Instance();
            var previousLevel = env.EnvLogLevel;
            // The native library prints its own error when CUDA libraries are missing; our single log line says it instead.
            env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
            try
            {
                options.AppendExecutionProvider_CUDA(0);
                cudaAvailable = true;
                return true;
            }
            catch (OnnxRuntimeException ex)
            {
                options.Dispose();
                options = new SessionOptions();
                cudaAvailable = false;
                cudaFailure = ex.Message.Split('\n')[0];
                Log.Information("CUDA execution provider unavailable ({Reason}); ONNX models run on the CPU", cudaFailure);
                return false;
            }
            finally
            {
                env.EnvLogLevel = previousLevel;
            }
        }
    }
}
