using Segmentation.Masks;

namespace Segmentation.Models.CropContract;

/// <summary>
/// Maps a crop-contract model output (one S x S map in input coordinates, probabilities or logits) back to
/// a mask over the whole image. For every image pixel whose centre maps inside the input square, the
/// output is sampled bilinearly at the mapped position (input pixel centres at +0.5, clamped at the input
/// edge) and thresholded; every other image pixel is background. Logits are interpolated as logits and
/// compared with logit(threshold), which equals thresholding sigmoid(logit) at the threshold.
/// </summary>
public static class CropContractDecoder
{
    public static BinaryMask Decode(ReadOnlySpan<float> output, CropGeometry geometry, CropContractOptions options)
    {
        var size = geometry.InputSize;
        if (size != options.InputSize)
            throw new ArgumentException($"Geometry is for input size {size} but the options say {options.InputSize}.");
        if (output.Length != size * size)
            throw new ArgumentException($"Output has {output.Length} values, expected {size}x{size}.", nameof(output));

        var threshold = options.OutputIsLogits
            ? (float)Math.Log(options.Threshold / (1 - options.Threshold))
            : (float)options.Threshold;
        var mask = new BinaryMask(geometry.ImageWidth, geometry.ImageHeight);
        var covered = geometry.CoveredPixels;
        if (covered.Width == 0 || covered.Height == 0) return mask;

        var cols = new CropContractEncoder.Tap[covered.Width];
        for (var k = 0; k < covered.Width; k++)
        {
            var (u, _) = geometry.ImageToInput(covered.X + k + 0.5, 0);
            cols[k] = CropContractEncoder.BilinearTap(u - 0.5, size);
        }
        var width = mask.Width;
        for (var y = covered.Y; y < covered.Bottom; y++)
        {
            var (_, v) = geometry.ImageToInput(0, y + 0.5);
            var r = CropContractEncoder.BilinearTap(v - 0.5, size);
            var row0 = r.I0 * size;
            var row1 = r.I1 * size;
            var maskRow = y * width + covered.X;
            for (var k = 0; k < cols.Length; k++)
            {
                var c = cols[k];
                var top = output[row0 + c.I0] + (output[row0 + c.I1] - output[row0 + c.I0]) * c.F;
                var bottom = output[row1 + c.I0] + (output[row1 + c.I1] - output[row1 + c.I0]) * c.F;
                var value = top + (bottom - top) * r.F;
                if (value > threshold) mask.Data[maskRow + k] = 1;
            }
        }
        return mask;
    }

    /// <summary>Converts an output map to probabilities (applies the sigmoid when the model emits logits).</summary>
    public static float[] ToProbabilities(ReadOnlySpan<float> output, bool outputIsLogits)
    {
        var result = output.ToArray();
        if (!outputIsLogits) return result;
        for (var i = 0; i < result.Length; i++) result[i] = 1f / (1f + MathF.Exp(-result[i]));
        return result;
    }
}
