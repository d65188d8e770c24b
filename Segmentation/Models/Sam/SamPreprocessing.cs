using Segmentation.Imaging;
using Segmentation.Masks;

namespace Segmentation.Models.Sam;

/// <summary>
/// SAM's encoder input: the frame scaled so its longer side fills the square (bilinear, sampling only inside
/// the frame), normalised, zero-padded right and below.
/// </summary>
public static class SamPreprocessing
{
    public static float[] EncoderInput(RgbImage image, PixelRect frame, int size, float[] mean, float[] std)
    {
        var scale = (double)size / Math.Max(frame.Width, frame.Height);
        var outW = Math.Min(size, (int)Math.Round(frame.Width * scale));
        var outH = Math.Min(size, (int)Math.Round(frame.Height * scale));
        var plane = size * size;
        var input = new float[3 * plane];
        var inv = 1.0 / scale;

        // Horizontal sample positions are the same for every row: compute them once.
        var x0s = new int[outW];
        var x1s = new int[outW];
        var wxs = new float[outW];
        for (var u = 0; u < outW; u++)
        {
            var sx = Math.Clamp(frame.X + (u + 0.5) * inv - 0.5, frame.X, frame.Right - 1);
            x0s[u] = (int)sx;
            x1s[u] = Math.Min(x0s[u] + 1, frame.Right - 1);
            wxs[u] = (float)(sx - x0s[u]);
        }
        float scaleR = 1f / std[0], scaleG = 1f / std[1], scaleB = 1f / std[2];
        var px = image.Pixels;
        for (var v = 0; v < outH; v++)
        {
            var sy = Math.Clamp(frame.Y + (v + 0.5) * inv - 0.5, frame.Y, frame.Bottom - 1);
            var y0 = (int)sy;
            var y1 = Math.Min(y0 + 1, frame.Bottom - 1);
            var wy = (float)(sy - y0);
            var row0 = y0 * image.Width;
            var row1 = y1 * image.Width;
            var outRow = v * size;
            for (var u = 0; u < outW; u++)
            {
                int a = (row0 + x0s[u]) * 3, b = (row0 + x1s[u]) * 3, c = (row1 + x0s[u]) * 3, d = (row1 + x1s[u]) * 3;
                var wx = wxs[u];
                for (var ch = 0; ch < 3; ch++)
                {
                    var top = px[a + ch] + (px[b + ch] - px[a + ch]) * wx;
                    var bottom = px[c + ch] + (px[d + ch] - px[c + ch]) * wx;
                    var value = top + (bottom - top) * wy;
                    var s = ch == 0 ? scaleR : ch == 1 ? scaleG : scaleB;
                    input[ch * plane + outRow + u] = (value - mean[ch]) * s;
                }
            }
        }
        return input;
    }
}
