using Segmentation.Imaging;
using Segmentation.Masks;

namespace Segmentation.Models.CropContract;

/// <summary>
/// Builds the input tensor of a crop-contract model: float[1 * C * S * S] in NCHW order, S = InputSize,
/// channels R, G, B, box, then (for M_b+c) foreground clicks and background clicks.
/// <list type="bullet">
/// <item>RGB: the image is sampled bilinearly at the image position of every input pixel centre
/// (image pixel centres at +0.5, clamped at the image edge); input pixels whose centre maps outside
/// the image are black, i.e. RGB (0, 0, 0) <em>before</em> normalisation, so their normalised value is
/// -mean/std. Values are v = (byte / 255 - mean[c]) / std[c].</item>
/// <item>Box: 1 on input pixels whose centre lies inside the box mapped into input coordinates
/// (bounds inclusive, the convention of <see cref="Raster.FillBox"/>), 0 elsewhere.</item>
/// <item>Clicks: per <see cref="ClickEncoding"/>, with distances measured in input pixels from the input
/// pixel centre to the click mapped into input coordinates.</item>
/// </list>
/// </summary>
public static class CropContractEncoder
{
    /// <summary>Builds the full input tensor (length C * S * S for a batch of one).</summary>
    public static float[] Encode(RgbImage image, CropGeometry geometry, IReadOnlyList<Click> clicks, CropContractOptions options)
    {
        var tensor = new float[options.ChannelCount * options.InputSize * options.InputSize];
        Encode(image, geometry, clicks, options, tensor);
        return tensor;
    }

    /// <summary>Writes the input tensor into <paramref name="destination"/> (length C * S * S); every element is written.</summary>
    public static void Encode(RgbImage image, CropGeometry geometry, IReadOnlyList<Click> clicks, CropContractOptions options, Span<float> destination)
    {
        RequireMatching(geometry, options, image.Width, image.Height);
        var size = options.InputSize;
        var plane = size * size;
        if (destination.Length != options.ChannelCount * plane)
            throw new ArgumentException($"Destination has {destination.Length} floats, expected {options.ChannelCount}x{size}x{size}.", nameof(destination));

        WriteRgb(image, geometry, options, destination[..(3 * plane)]);
        WriteBox(geometry, destination.Slice(3 * plane, plane));
        if (!options.TakesClicks) return;

        var fg = new List<(double U, double V)>();
        var bg = new List<(double U, double V)>();
        foreach (var click in clicks)
            (click.IsForeground ? fg : bg).Add(geometry.ImageToInput(click.X, click.Y));
        DrawClicks(destination.Slice(4 * plane, plane), size, fg, options);
        DrawClicks(destination.Slice(5 * plane, plane), size, bg, options);
    }

    /// <summary>
    /// Samples a mask into input coordinates exactly as the RGB channels are sampled (bilinear between
    /// pixel centres, clamped at the image edge), giving values in [0, 1]; input pixels whose centre maps
    /// outside the image are 0. Useful to render a reference mask as if it were a model output.
    /// </summary>
    public static float[] SampleMask(BinaryMask mask, CropGeometry geometry)
    {
        if (mask.Width != geometry.ImageWidth || mask.Height != geometry.ImageHeight)
            throw new ArgumentException($"Mask is {mask.Width}x{mask.Height} but the geometry is for a {geometry.ImageWidth}x{geometry.ImageHeight} image.", nameof(mask));
        var size = geometry.InputSize;
        var result = new float[size * size];
        var cols = Taps(geometry, horizontal: true);
        var rows = Taps(geometry, horizontal: false);
        var w = mask.Width;
        for (var j = 0; j < size; j++)
        {
            var r = rows[j];
            if (!r.Inside) continue;
            for (var i = 0; i < size; i++)
            {
                var c = cols[i];
                if (!c.Inside) continue;
                float top = Lerp(mask.Data[r.I0 * w + c.I0], mask.Data[r.I0 * w + c.I1], c.F);
                float bottom = Lerp(mask.Data[r.I1 * w + c.I0], mask.Data[r.I1 * w + c.I1], c.F);
                result[j * size + i] = Lerp(top, bottom, r.F);
            }
        }
        return result;
    }

    /// <summary>
    /// Draws one click channel of <paramref name="size"/> x <paramref name="size"/> input pixels from click
    /// positions already in input coordinates; every element of <paramref name="channel"/> is written.
    /// </summary>
    public static void DrawClicks(Span<float> channel, int size, IReadOnlyList<(double U, double V)> points, CropContractOptions options)
    {
        if (channel.Length != size * size)
            throw new ArgumentException($"Channel has {channel.Length} floats, expected {size}x{size}.", nameof(channel));
        switch (options.ClickEncoding)
        {
            case ClickEncoding.Disk:
                channel.Clear();
                foreach (var (u, v) in points)
                    ForEachPixelWithin(size, u, v, options.ClickRadius, (index, d2) => 1f, channel, Math.Max);
                break;
            case ClickEncoding.Gaussian:
            {
                channel.Clear();
                var sigma = options.GaussianSigma;
                var inv = 1.0 / (2 * sigma * sigma);
                // Beyond 6 sigma the value is below 1.6e-8 and is left at 0.
                foreach (var (u, v) in points)
                    ForEachPixelWithin(size, u, v, 6 * sigma, (index, d2) => (float)Math.Exp(-d2 * inv), channel, Math.Max);
                break;
            }
            case ClickEncoding.DistanceTransform:
            {
                channel.Fill(1f);
                var t = options.DistanceTruncation;
                foreach (var (u, v) in points)
                    ForEachPixelWithin(size, u, v, t, (index, d2) => (float)(Math.Sqrt(d2) / t), channel, Math.Min);
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(options), $"Unknown click encoding {options.ClickEncoding}.");
        }
    }

    /// <summary>Throws when the geometry and the options disagree on the input size or the image size.</summary>
    internal static void RequireMatching(CropGeometry geometry, CropContractOptions options, int imageWidth, int imageHeight)
    {
        if (geometry.InputSize != options.InputSize || geometry.InnerSize != options.InnerSize)
            throw new ArgumentException(
                $"Geometry is for input {geometry.InputSize} / inner {geometry.InnerSize} but the options say {options.InputSize} / {options.InnerSize}.");
        if (geometry.ImageWidth != imageWidth || geometry.ImageHeight != imageHeight)
            throw new ArgumentException(
                $"Geometry is for a {geometry.ImageWidth}x{geometry.ImageHeight} image but the image is {imageWidth}x{imageHeight}.");
    }

    private static void WriteRgb(RgbImage image, CropGeometry geometry, CropContractOptions options, Span<float> rgb)
    {
        var size = geometry.InputSize;
        var plane = size * size;
        var cols = Taps(geometry, horizontal: true);
        var rows = Taps(geometry, horizontal: false);
        Span<float> scale = stackalloc float[3];
        Span<float> offset = stackalloc float[3];
        for (var c = 0; c < 3; c++)
        {
            // (p / 255 - mean) / std == p * scale + offset
            scale[c] = 1f / (255f * options.Std[c]);
            offset[c] = -options.Mean[c] / options.Std[c];
        }

        var px = image.Pixels;
        var stride = image.Width * 3;
        for (var j = 0; j < size; j++)
        {
            var r = rows[j];
            var rowBase = j * size;
            for (var i = 0; i < size; i++)
            {
                var c = cols[i];
                if (!r.Inside || !c.Inside)
                {
                    // Outside the image: black, i.e. byte value 0 before normalisation.
                    rgb[rowBase + i] = offset[0];
                    rgb[plane + rowBase + i] = offset[1];
                    rgb[2 * plane + rowBase + i] = offset[2];
                    continue;
                }
                int a = r.I0 * stride + c.I0 * 3, b = r.I0 * stride + c.I1 * 3;
                int d = r.I1 * stride + c.I0 * 3, e = r.I1 * stride + c.I1 * 3;
                for (var ch = 0; ch < 3; ch++)
                {
                    var top = Lerp(px[a + ch], px[b + ch], c.F);
                    var bottom = Lerp(px[d + ch], px[e + ch], c.F);
                    rgb[ch * plane + rowBase + i] = Lerp(top, bottom, r.F) * scale[ch] + offset[ch];
                }
            }
        }
    }

    private static void WriteBox(CropGeometry geometry, Span<float> box)
    {
        var size = geometry.InputSize;
        var inInput = geometry.BoxInInput;
        box.Clear();
        // Input pixel i is inside when its centre i + 0.5 lies in [U0, U1].
        var i0 = Math.Max(0, (int)Math.Ceiling(inInput.X0 - 0.5));
        var i1 = Math.Min(size - 1, (int)Math.Floor(inInput.X1 - 0.5));
        var j0 = Math.Max(0, (int)Math.Ceiling(inInput.Y0 - 0.5));
        var j1 = Math.Min(size - 1, (int)Math.Floor(inInput.Y1 - 0.5));
        if (i1 < i0) return;
        for (var j = j0; j <= j1; j++)
            box.Slice(j * size + i0, i1 - i0 + 1).Fill(1f);
    }

    private delegate float PixelValue(int index, double squaredDistance);

    // Combines value(index, d^2) into every pixel whose centre is within `radius` of (u, v).
    private static void ForEachPixelWithin(int size, double u, double v, double radius, PixelValue value, Span<float> channel, Func<float, float, float> combine)
    {
        if (!double.IsFinite(u) || !double.IsFinite(v)) return;
        var r2 = radius * radius;
        var j0 = (int)Math.Max(0, Math.Floor(v - radius - 0.5));
        var j1 = (int)Math.Min(size - 1, Math.Ceiling(v + radius - 0.5));
        var i0 = (int)Math.Max(0, Math.Floor(u - radius - 0.5));
        var i1 = (int)Math.Min(size - 1, Math.Ceiling(u + radius - 0.5));
        for (var j = j0; j <= j1; j++)
        {
            var dy = j + 0.5 - v;
            for (var i = i0; i <= i1; i++)
            {
                var dx = i + 0.5 - u;
                var d2 = dx * dx + dy * dy;
                if (d2 > r2) continue;
                var index = j * size + i;
                channel[index] = combine(channel[index], value(index, d2));
            }
        }
    }

    private static float Lerp(float a, float b, float t) => a + (b - a) * t;

    /// <summary>Bilinear taps along one axis for every input pixel: neighbouring image pixels and weight.</summary>
    internal readonly record struct Tap(bool Inside, int I0, int I1, float F);

    internal static Tap[] Taps(CropGeometry geometry, bool horizontal)
    {
        var size = geometry.InputSize;
        var extent = horizontal ? geometry.ImageWidth : geometry.ImageHeight;
        var taps = new Tap[size];
        for (var k = 0; k < size; k++)
        {
            var (x, y) = geometry.InputToImage(k + 0.5, k + 0.5);
            var p = horizontal ? x : y;
            if (!(p >= 0 && p < extent))
            {
                taps[k] = new Tap(false, 0, 0, 0);
                continue;
            }
            taps[k] = BilinearTap(p - 0.5, extent);
        }
        return taps;
    }

    /// <summary>Tap for sampling position <paramref name="q"/> in pixel-index space (pixel centres at integers), edge-clamped.</summary>
    internal static Tap BilinearTap(double q, int extent)
    {
        var f0 = Math.Floor(q);
        var frac = (float)(q - f0);
        var i0 = (int)Math.Clamp(f0, 0, extent - 1);
        var i1 = (int)Math.Clamp(f0 + 1, 0, extent - 1);
        return new Tap(true, i0, i1, frac);
    }
}
