using Segmentation.Models.Onnx;

namespace Segmentation.Models.CropContract;

/// <summary>Fixed weights of <see cref="CropContractReferenceModel"/>.</summary>
public sealed record CropContractReferenceWeights
{
    /// <summary>Width (odd, input pixels) of the separable mean filter that softens the box channel.</summary>
    public int BoxBlur { get; init; } = 33;

    /// <summary>Logit contribution is BoxWeight * (blurredBox - BoxShift).</summary>
    public float BoxWeight { get; init; } = 8f;

    public float BoxShift { get; init; } = 0.5f;

    /// <summary>Logit contribution is ColourWeight * (1 - 2 d2 / (d2 + ColourKappa)), d2 the squared distance to the box's mean colour.</summary>
    public float ColourWeight { get; init; } = 3f;

    public float ColourKappa { get; init; } = 1f;

    /// <summary>Side (odd, input pixels) of the square max filter that spreads each click's influence.</summary>
    public int ClickReach { get; init; } = 41;

    public float ForegroundWeight { get; init; } = 12f;
    public float BackgroundWeight { get; init; } = 12f;
}

/// <summary>
/// Builds a small, honest crop-contract ONNX model with fixed weights, so the whole pipeline (encoding,
/// ONNX Runtime, decoding) can be exercised without a trained network. It computes, per input pixel,
/// <code>
/// z = BoxWeight * (blur(box) - BoxShift)
///   + ColourWeight * (1 - 2 d2 / (d2 + ColourKappa))          d2 = |rgb - mean rgb inside the box|^2
///   + ForegroundWeight * spread(fg) - BackgroundWeight * spread(bg)     (M_b+c only)
/// output = sigmoid(z)   (or z itself when the options say the output is logits)
/// </code>
/// where blur is a separable mean filter (Conv), spread is a separable square max filter (MaxPool) of the
/// click channel, and rgb is the normalised colour. The result is a box-shaped mask whose border follows
/// colour similarity, carved out around background clicks and grown around foreground clicks.
/// It is a test fixture, not a segmentation method.
/// </summary>
public static class CropContractReferenceModel
{
    public static byte[] Build(CropContractOptions options, CropContractReferenceWeights? weights = null)
    {
        options.Validate();
        var w = weights ?? new CropContractReferenceWeights();
        if (w.BoxBlur < 1 || w.BoxBlur % 2 == 0) throw new ArgumentException($"BoxBlur must be odd and positive (got {w.BoxBlur}).");
        if (w.ClickReach < 1 || w.ClickReach % 2 == 0) throw new ArgumentException($"ClickReach must be odd and positive (got {w.ClickReach}).");

        var c = options.ChannelCount;
        var s = options.InputSize;
        var g = new OnnxGraphWriter("crop_contract_reference");
        g.AddInput(options.InputName, 1, c, s, s);
        g.AddOutput(options.OutputName, 1, 1, s, s);

        var x = options.InputName;
        var rgb = SelectChannels(g, x, c, "rgb", 0, 1, 2);
        var box = SelectChannels(g, x, c, "box", 3);

        // Box prior: separable mean filter of the box channel.
        var blurred = SeparableMean(g, box, w.BoxBlur, "box_blur");
        var boxTerm = g.AddNode("Mul", "box_term",
            [g.AddNode("Sub", "box_shifted", [blurred, g.AddScalar("box_shift", w.BoxShift)]), g.AddScalar("box_weight", w.BoxWeight)]);

        // Colour term: similarity to the mean colour inside the box.
        var sumRgb = g.AddNode("GlobalAveragePool", "rgb_in_box_avg", [g.AddNode("Mul", "rgb_in_box", [rgb, box])]);
        var boxAvg = g.AddNode("GlobalAveragePool", "box_avg", [box]);
        var mean = g.AddNode("Div", "box_mean_rgb", [sumRgb, g.AddNode("Add", "box_avg_safe", [boxAvg, g.AddScalar("eps", 1e-6f)])]);
        var diff = g.AddNode("Sub", "rgb_diff", [rgb, mean]);
        var sq = g.AddNode("Mul", "rgb_diff_sq", [diff, diff]);
        var d2 = g.AddNode("Conv", "colour_d2", [sq, g.AddInitializer("sum_rgb_w", [1, 3, 1, 1], [1f, 1f, 1f])],
            OnnxAttribute.Ints("kernel_shape", 1, 1));
        var ratio = g.AddNode("Div", "colour_ratio", [d2, g.AddNode("Add", "colour_d2_k", [d2, g.AddScalar("colour_kappa", w.ColourKappa)])]);
        var similarity = g.AddNode("Sub", "colour_sim",
            [g.AddScalar("one", 1f), g.AddNode("Mul", "colour_ratio2", [ratio, g.AddScalar("two", 2f)])]);
        var colourTerm = g.AddNode("Mul", "colour_term", [similarity, g.AddScalar("colour_weight", w.ColourWeight)]);

        var z = g.AddNode("Add", "z_box_colour", [boxTerm, colourTerm]);
        if (options.TakesClicks)
        {
            var fg = Spread(g, ClickPresence(g, SelectChannels(g, x, c, "fg", 4), options, "fg"), w.ClickReach, "fg");
            var bg = Spread(g, ClickPresence(g, SelectChannels(g, x, c, "bg", 5), options, "bg"), w.ClickReach, "bg");
            z = g.AddNode("Add", "z_fg", [z, g.AddNode("Mul", "fg_term", [fg, g.AddScalar("fg_weight", w.ForegroundWeight)])]);
            z = g.AddNode("Sub", "z_bg", [z, g.AddNode("Mul", "bg_term", [bg, g.AddScalar("bg_weight", w.BackgroundWeight)])]);
        }

        if (options.OutputIsLogits) g.AddNode("Identity", options.OutputName, [z]);
        else g.AddNode("Sigmoid", options.OutputName, [z]);
        return g.ToBytes();
    }

    public static void Save(string path, CropContractOptions options, CropContractReferenceWeights? weights = null) =>
        File.WriteAllBytes(path, Build(options, weights));

    // 1x1 convolution with one-hot weights: picks the given channels of a [1, C, S, S] tensor.
    private static string SelectChannels(OnnxGraphWriter g, string x, int channelCount, string name, params int[] channels)
    {
        var weights = new float[channels.Length * channelCount];
        for (var k = 0; k < channels.Length; k++) weights[k * channelCount + channels[k]] = 1f;
        var kernel = g.AddInitializer($"{name}_select_w", [channels.Length, channelCount, 1, 1], weights);
        return g.AddNode("Conv", name, [x, kernel], OnnxAttribute.Ints("kernel_shape", 1, 1));
    }

    private static string SeparableMean(OnnxGraphWriter g, string x, int width, string name)
    {
        var half = width / 2;
        var taps = Enumerable.Repeat(1f / width, width).ToArray();
        var rowKernel = g.AddInitializer($"{name}_row_w", [1, 1, 1, width], taps);
        var colKernel = g.AddInitializer($"{name}_col_w", [1, 1, width, 1], taps);
        // ONNX pads order: [top, left, bottom, right].
        var rows = g.AddNode("Conv", $"{name}_rows", [x, rowKernel],
            OnnxAttribute.Ints("kernel_shape", 1, width), OnnxAttribute.Ints("pads", 0, half, 0, half));
        return g.AddNode("Conv", name, [rows, colKernel],
            OnnxAttribute.Ints("kernel_shape", width, 1), OnnxAttribute.Ints("pads", half, 0, half, 0));
    }

    private static string Spread(OnnxGraphWriter g, string x, int reach, string name)
    {
        var half = reach / 2;
        var rows = g.AddNode("MaxPool", $"{name}_spread_rows", [x],
            OnnxAttribute.Ints("kernel_shape", 1, reach), OnnxAttribute.Ints("pads", 0, half, 0, half));
        return g.AddNode("MaxPool", $"{name}_spread", [rows],
            OnnxAttribute.Ints("kernel_shape", reach, 1), OnnxAttribute.Ints("pads", half, 0, half, 0));
    }

    // Turns a click channel into "how much a click is here" in [0, 1], 1 at the click, whatever the encoding.
    private static string ClickPresence(OnnxGraphWriter g, string channel, CropContractOptions options, string name)
    {
        if (options.ClickEncoding != ClickEncoding.DistanceTransform) return channel;
        // Distance encoding: value = min(d, T) / T. Presence = max(0, 1 - d / ClickRadius).
        var factor = (float)(options.DistanceTruncation / Math.Max(options.ClickRadius, 1));
        var scaled = g.AddNode("Mul", $"{name}_dist_scaled", [channel, g.AddScalar($"{name}_dist_factor", factor)]);
        return g.AddNode("Relu", $"{name}_presence", [g.AddNode("Sub", $"{name}_presence_raw", [g.AddScalar($"{name}_one", 1f), scaled])]);
    }
}
