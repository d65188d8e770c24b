using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Segmentation.Imaging;
using Segmentation.Models.Onnx;

namespace Segmentation.Models.CropContract;

/// <summary>
/// A crop-contract model (the paper's M_b or M_b+c) run through ONNX Runtime: the box is cropped and
/// scaled into a square input (<see cref="CropGeometry"/>), the input tensor is built by
/// <see cref="CropContractEncoder"/>, the ONNX model is run once, and its output is mapped back to the
/// image by <see cref="CropContractDecoder"/>. Every prediction is computed from the image, the box and
/// all clicks so far; the previous state is not fed back to the model.
/// One <see cref="InferenceSession"/> serves all threads (its Run is thread-safe).
/// </summary>
public sealed class CropContractModel : ISegmentationModel
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    /// <param name="modelPath">Path of the .onnx file.</param>
    /// <param name="options">The tensor contract; <see cref="CropContractOptions.TakesClicks"/> selects M_b or M_b+c.</param>
    /// <param name="name">Display name; defaults to the file name without extension.</param>
    public CropContractModel(string modelPath, CropContractOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"ONNX model file not found: {modelPath}", modelPath);

        Options = options;
        Name = name ?? Path.GetFileNameWithoutExtension(modelPath);
        (_session, UsesCuda) = OnnxSessionFactory.Create(modelPath, Name, options.TryCuda, options.CudaDeviceId);
        try
        {
            ValidateSignature(_session, options, modelPath);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
        _inputNames = [options.InputName];
        _outputNames = [options.OutputName];
    }

    public string Name { get; }

    public CropContractOptions Options { get; }

    /// <summary>True when the session runs on the CUDA execution provider, false when it fell back to the CPU.</summary>
    public bool UsesCuda { get; }

    public IPreparedImage Prepare(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new PreparedImage(image);
    }

    /// <summary>
    /// Predicts the mask for the box and clicks of <paramref name="prompt"/>. The box is required; it is
    /// normalised and clamped to the image before cropping. An M_b model (no click channels) ignores the clicks.
    /// Timing: <see cref="ModelCallTiming.DecoderMs"/> is the ONNX Run, <see cref="ModelCallTiming.EncoderMs"/>
    /// is 0 (there is no per-image encoder), <see cref="ModelCallTiming.OverheadMs"/> is the rest of the call
    /// (building the input tensor, decoding the output).
    /// </summary>
    public MaskPrediction Predict(IPreparedImage image, SegmentationPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(prompt);
        var total = Stopwatch.StartNew();
        var rgb = image.Image;
        if (prompt.Box is not { } rawBox)
            throw new ArgumentException($"Model {Name} follows the crop contract and needs a box; the prompt has none.", nameof(prompt));
        var box = rawBox.Normalized().ClampTo(rgb.Width, rgb.Height);
        var geometry = new CropGeometry(box, rgb.Width, rgb.Height, Options.InputSize, Options.InnerSize);

        var size = Options.InputSize;
        var input = CropContractEncoder.Encode(rgb, geometry, prompt.Clicks, Options);
        long[] inputShape = [1, Options.ChannelCount, size, size];

        float[] outputMap;
        double runMs;
        using (var inputValue = OrtValue.CreateTensorValueFromMemory(input, inputShape))
        using (var runOptions = new RunOptions())
        {
            var run = Stopwatch.StartNew();
            using var outputs = _session.Run(runOptions, _inputNames, [inputValue], _outputNames);
            runMs = run.Elapsed.TotalMilliseconds;
            var output = outputs[0];
            var shape = output.GetTensorTypeAndShape().Shape;
            if (!IsExpectedOutputShape(shape, size))
                throw new InvalidOperationException(
                    $"Model {Name} returned output '{Options.OutputName}' of shape [{string.Join(", ", shape)}], expected [1, 1, {size}, {size}].");
            outputMap = output.GetTensorDataAsSpan<float>().ToArray();
        }

        var mask = CropContractDecoder.Decode(outputMap, geometry, Options);
        var state = new CropContractState(geometry, CropContractDecoder.ToProbabilities(outputMap, Options.OutputIsLogits));
        var totalMs = total.Elapsed.TotalMilliseconds;
        return new MaskPrediction(mask, state, new ModelCallTiming(0, runMs, Math.Max(0, totalMs - runMs)));
    }

    public void Dispose() => _session.Dispose();

    private static bool IsExpectedOutputShape(long[] shape, int size) =>
        shape.Length == 4 && shape[0] == 1 && shape[1] == 1 && shape[2] == size && shape[3] == size;

    private static void ValidateSignature(InferenceSession session, CropContractOptions options, string modelPath)
    {
        var file = Path.GetFileName(modelPath);
        var size = options.InputSize;
        var inputs = session.InputMetadata;
        if (!inputs.TryGetValue(options.InputName, out var input))
            throw new InvalidDataException(
                $"{file}: no input named '{options.InputName}'; the model's inputs are [{string.Join(", ", inputs.Keys)}]. Set InputName to the right one.");
        if (inputs.Count != 1)
            throw new InvalidDataException(
                $"{file}: expected exactly one input ('{options.InputName}'), the model has {inputs.Count}: [{string.Join(", ", inputs.Keys)}].");
        RequireFloatTensor(file, "input", options.InputName, input);
        RequireShape(file, "input", options.InputName, input.Dimensions, [1, options.ChannelCount, size, size],
            options.TakesClicks ? " (M_b+c: R, G, B, box, foreground clicks, background clicks)" : " (M_b: R, G, B, box)");

        var outputs = session.OutputMetadata;
        if (!outputs.TryGetValue(options.OutputName, out var output))
            throw new InvalidDataException(
                $"{file}: no output named '{options.OutputName}'; the model's outputs are [{string.Join(", ", outputs.Keys)}]. Set OutputName to the right one.");
        RequireFloatTensor(file, "output", options.OutputName, output);
        RequireShape(file, "output", options.OutputName, output.Dimensions, [1, 1, size, size], "");
    }

    private static void RequireFloatTensor(string file, string role, string name, NodeMetadata metadata)
    {
        if (metadata.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR || metadata.ElementDataType != TensorElementType.Float)
            throw new InvalidDataException(
                $"{file}: {role} '{name}' must be a float32 tensor, but it is {metadata.OnnxValueType} of {metadata.ElementDataType}.");
    }

    // Dimensions the model leaves symbolic (reported as -1) are accepted; fixed ones must match exactly.
    private static void RequireShape(string file, string role, string name, int[] actual, int[] expected, string note)
    {
        var ok = actual.Length == expected.Length;
        for (var i = 0; ok && i < actual.Length; i++)
            ok = actual[i] < 0 || actual[i] == expected[i];
        if (!ok)
            throw new InvalidDataException(
                $"{file}: {role} '{name}' has shape [{string.Join(", ", actual.Select(d => d < 0 ? "?" : d.ToString()))}], " +
                $"expected [{string.Join(", ", expected)}]{note}.");
    }

    private sealed class PreparedImage(RgbImage image) : IPreparedImage
    {
        public RgbImage Image { get; } = image;
        public void Dispose() { }
    }
}

/// <summary>
/// State returned with each crop-contract prediction: the geometry of the crop and the model's output as
/// foreground probabilities in input coordinates (InputSize x InputSize, row-major). The crop contract does
/// not feed it back into the model; it is kept for inspection and for callers that want the soft output.
/// </summary>
public sealed record CropContractState(CropGeometry Geometry, float[] Probabilities) : PredictionState;
