using Segmentation.Imaging;
using Segmentation.Masks;

namespace Segmentation.Models;

/// <summary>
/// Boundary refinement at full resolution: SAM-family masks come from 256x256 logits upsampled, so their
/// boundaries are smooth and may miss the image's edges by a few pixels. A guided filter (He, Sun, Tang) on the
/// object probabilities (the logits mapped linearly onto 0..1 across the unsure band), with the image's luminance
/// as the guide, moves the boundary onto nearby edges. Only pixels in the band where the model was unsure may
/// change, and never near a click.
/// </summary>
public static class EdgeRefinement
{
    /// <summary>
    /// Refines a frame's logits (positive: object) in place and returns how many pixels changed sides.
    /// <paramref name="cellSize"/> is the size in image pixels of one low-resolution logit cell.
    /// </summary>
    public static int Refine(RgbImage image, PixelRect frame, float[] logits, IReadOnlyList<Click> clicks, double cellSize, EdgeRefinementOptions options)
    {
        if (logits.Length != frame.Width * frame.Height)
            throw new ArgumentException($"Expected {frame.Width}x{frame.Height} logits, got {logits.Length}.", nameof(logits));
        var radius = options.Radius > 0 ? options.Radius : Math.Clamp((int)Math.Round(2 * cellSize), 2, 8);
        var band = options.UncertainLogit;

        // The region worth filtering: the unsure band's bounding box plus the window radius.
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (var y = 0; y < frame.Height; y++)
        {
            var row = y * frame.Width;
            for (var x = 0; x < frame.Width; x++)
            {
                var v = logits[row + x];
                if (v >= band || v <= -band) continue;
                if (x < minX) minX = x;
                if (x > maxX) maxX = x;
                if (y < minY) minY = y;
                maxY = y;
            }
        }
        if (maxX < 0) return 0;
        var x0 = Math.Max(0, minX - radius);
        var y0 = Math.Max(0, minY - radius);
        var x1 = Math.Min(frame.Width - 1, maxX + radius);
        var y1 = Math.Min(frame.Height - 1, maxY + radius);
        var w = x1 - x0 + 1;
        var h = y1 - y0 + 1;
        var n = w * h;

        var guide = new float[n];
        var prob = new float[n];
        var px = image.Pixels;
        for (var y = 0; y < h; y++)
        {
            var src = (frame.Y + y0 + y) * image.Width + frame.X + x0;
            var lrow = (y0 + y) * frame.Width + x0;
            for (var x = 0; x < w; x++)
            {
                var p = (src + x) * 3;
                guide[y * w + x] = (0.299f * px[p] + 0.587f * px[p + 1] + 0.114f * px[p + 2]) / 255f;
                prob[y * w + x] = Math.Clamp(0.5f + logits[lrow + x] / (2 * band), 0f, 1f);
            }
        }

        var meanI = BoxMean(guide, null, w, h, radius);
        var meanP = BoxMean(prob, null, w, h, radius);
        var corrII = BoxMean(guide, guide, w, h, radius);
        var corrIP = BoxMean(guide, prob, w, h, radius);
        var a = new float[n];
        var b = new float[n];
        for (var i = 0; i < n; i++)
        {
            var variance = corrII[i] - meanI[i] * meanI[i];
            var covariance = corrIP[i] - meanI[i] * meanP[i];
            a[i] = (float)(covariance / (variance + options.Epsilon));
            b[i] = meanP[i] - a[i] * meanI[i];
        }
        var meanA = BoxMean(a, null, w, h, radius);
        var meanB = BoxMean(b, null, w, h, radius);

        // Near a click nothing changes, so the refined mask still agrees with every click the model's mask agreed with.
        var keep = new bool[n];
        foreach (var click in clicks)
        {
            var cx = click.PixelX - frame.X - x0;
            var cy = click.PixelY - frame.Y - y0;
            for (var y = Math.Max(0, cy - radius); y <= Math.Min(h - 1, cy + radius); y++)
                for (var x = Math.Max(0, cx - radius); x <= Math.Min(w - 1, cx + radius); x++)
                    keep[y * w + x] = true;
        }

        var changed = 0;
        for (var y = 0; y < h; y++)
        {
            var lrow = (y0 + y) * frame.Width + x0;
            for (var x = 0; x < w; x++)
            {
                var i = y * w + x;
                var v = logits[lrow + x];
                if (keep[i] || v >= band || v <= -band) continue;
                var q = meanA[i] * guide[i] + meanB[i];
                var refined = (q - 0.5f) * 2f * band;
                if ((refined > 0) != (v > 0)) changed++;
                logits[lrow + x] = refined;
            }
        }
        return changed;
    }

    /// <summary>The mean of a (or of a*b) over the (2r+1)^2 window around each pixel, clipped at the borders, via an integral image.</summary>
    private static float[] BoxMean(float[] a, float[]? b, int w, int h, int r)
    {
        var stride = w + 1;
        var integral = new double[(h + 1) * stride];
        for (var y = 0; y < h; y++)
        {
            double rowSum = 0;
            var row = y * w;
            var dst = (y + 1) * stride;
            var above = y * stride;
            for (var x = 0; x < w; x++)
            {
                rowSum += b is null ? a[row + x] : a[row + x] * b[row + x];
                integral[dst + x + 1] = integral[above + x + 1] + rowSum;
            }
        }
        var mean = new float[w * h];
        for (var y = 0; y < h; y++)
        {
            var top = Math.Max(0, y - r);
            var bottom = Math.Min(h, y + r + 1);
            for (var x = 0; x < w; x++)
            {
                var left = Math.Max(0, x - r);
                var right = Math.Min(w, x + r + 1);
                var sum = integral[bottom * stride + right] - integral[top * stride + right] - integral[bottom * stride + left] + integral[top * stride + left];
                mean[y * w + x] = (float)(sum / ((bottom - top) * (right - left)));
            }
        }
        return mean;
    }
}
