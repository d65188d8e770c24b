using Segmentation.Masks;

namespace Segmentation.Models.Sam;

/// <summary>Moves SAM's low-resolution mask logits between frames (whole image, zoom crops).</summary>
public static class SamLogits
{
    /// <summary>Logit given to places the source frame did not see: confidently background.</summary>
    public const float Outside = -20f;

    /// <summary>
    /// Resamples the square low-resolution logits of <paramref name="from"/> into the low-resolution grid of
    /// <paramref name="to"/> (bilinear). A low-resolution pixel covers (encoderSize / lowSize) encoder-input
    /// pixels; the encoder input holds the frame scaled so its longer side is encoderSize.
    /// </summary>
    public static void Resample(float[] source, PixelRect from, float[] destination, PixelRect to, int encoderSize)
    {
        var lowSize = (int)Math.Round(Math.Sqrt(source.Length));
        if (lowSize * lowSize != source.Length || destination.Length != source.Length)
            throw new ArgumentException("Low-resolution logits must be square and of equal size.");
        var cell = (double)encoderSize / lowSize;
        var scaleFrom = (double)encoderSize / Math.Max(from.Width, from.Height);
        var scaleTo = (double)encoderSize / Math.Max(to.Width, to.Height);
        // The part of the source grid that shows image content (the rest is padding).
        var validW = from.Width * scaleFrom / cell;
        var validH = from.Height * scaleFrom / cell;

        for (var j = 0; j < lowSize; j++)
        {
            var y = to.Y + (j + 0.5) * cell / scaleTo;
            var sj = (y - from.Y) * scaleFrom / cell - 0.5;
            for (var i = 0; i < lowSize; i++)
            {
                var x = to.X + (i + 0.5) * cell / scaleTo;
                var si = (x - from.X) * scaleFrom / cell - 0.5;
                destination[j * lowSize + i] = si < -0.5 || sj < -0.5 || si > validW - 0.5 || sj > validH - 0.5
                    ? Outside
                    : Bilinear(source, lowSize, si, sj);
            }
        }
    }

    /// <summary>The logit at an image point of a frame's square low-resolution grid (bilinear).</summary>
    public static float At(ReadOnlySpan<float> grid, PixelRect frame, double imageX, double imageY, int encoderSize)
    {
        var lowSize = (int)Math.Round(Math.Sqrt(grid.Length));
        var cell = (double)encoderSize / lowSize;
        var scale = (double)encoderSize / Math.Max(frame.Width, frame.Height);
        return Bilinear(grid, lowSize, (imageX - frame.X) * scale / cell - 0.5, (imageY - frame.Y) * scale / cell - 0.5);
    }

    /// <summary>
    /// A frame's full-resolution logits from its low-resolution grid (bilinear), as the decoder upsamples its own
    /// chosen mask: grid cell centres map to frame pixel centres through the encoder input's scale.
    /// </summary>
    public static float[] Upsample(float[] grid, PixelRect frame, int encoderSize)
    {
        var lowSize = (int)Math.Round(Math.Sqrt(grid.Length));
        var cell = (double)encoderSize / lowSize;
        var scale = (double)encoderSize / Math.Max(frame.Width, frame.Height);
        var factor = scale / cell;
        var result = new float[frame.Width * frame.Height];
        var xs0 = new int[frame.Width];
        var xs1 = new int[frame.Width];
        var fx = new float[frame.Width];
        for (var x = 0; x < frame.Width; x++)
        {
            var sx = Math.Clamp((x + 0.5) * factor - 0.5, 0, lowSize - 1);
            xs0[x] = (int)sx;
            xs1[x] = Math.Min(xs0[x] + 1, lowSize - 1);
            fx[x] = (float)(sx - xs0[x]);
        }
        for (var y = 0; y < frame.Height; y++)
        {
            var sy = Math.Clamp((y + 0.5) * factor - 0.5, 0, lowSize - 1);
            var y0 = (int)sy;
            var y1 = Math.Min(y0 + 1, lowSize - 1);
            var fy = (float)(sy - y0);
            var r0 = y0 * lowSize;
            var r1 = y1 * lowSize;
            var dst = y * frame.Width;
            for (var x = 0; x < frame.Width; x++)
            {
                var top = grid[r0 + xs0[x]] + (grid[r0 + xs1[x]] - grid[r0 + xs0[x]]) * fx[x];
                var bottom = grid[r1 + xs0[x]] + (grid[r1 + xs1[x]] - grid[r1 + xs0[x]]) * fx[x];
                result[dst + x] = top + (bottom - top) * fy;
            }
        }
        return result;
    }

    private static float Bilinear(ReadOnlySpan<float> grid, int size, double x, double y)
    {
        x = Math.Clamp(x, 0, size - 1);
        y = Math.Clamp(y, 0, size - 1);
        var x0 = (int)x;
        var y0 = (int)y;
        var x1 = Math.Min(x0 + 1, size - 1);
        var y1 = Math.Min(y0 + 1, size - 1);
        var fx = (float)(x - x0);
        var fy = (float)(y - y0);
        var top = grid[y0 * size + x0] + (grid[y0 * size + x1] - grid[y0 * size + x0]) * fx;
        var bottom = grid[y1 * size + x0] + (grid[y1 * size + x1] - grid[y1 * size + x0]) * fx;
        return top + (bottom - top) * fy;
    }

    /// <summary>Magnitude of the logits made from a binary mask.</summary>
    public const float MaskConfidence = 8f;

    /// <summary>
    /// Low-resolution logits of <paramref name="frame"/> that describe a binary image mask: each cell gets
    /// +confidence where the mask covers its centre and -confidence elsewhere (padding included).
    /// </summary>
    public static float[] FromMask(BinaryMask mask, PixelRect frame, int lowSize, int encoderSize)
    {
        var logits = new float[lowSize * lowSize];
        var cell = (double)encoderSize / lowSize;
        var scale = (double)encoderSize / Math.Max(frame.Width, frame.Height);
        for (var j = 0; j < lowSize; j++)
        {
            var y = (int)Math.Floor(frame.Y + (j + 0.5) * cell / scale);
            for (var i = 0; i < lowSize; i++)
            {
                var x = (int)Math.Floor(frame.X + (i + 0.5) * cell / scale);
                var inside = x < frame.Right && y < frame.Bottom && mask.Contains(x, y) && mask[x, y];
                logits[j * lowSize + i] = inside ? MaskConfidence : -MaskConfidence;
            }
        }
        return logits;
    }
}
