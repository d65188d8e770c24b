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

    private static float Bilinear(float[] grid, int size, double x, double y)
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
