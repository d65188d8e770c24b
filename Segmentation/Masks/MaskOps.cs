namespace Segmentation.Masks;

/// <summary>Cropping, pasting, resizing, thresholding and morphology on masks and float maps.</summary>
public static class MaskOps
{
    /// <summary>
    /// The part of <paramref name="mask"/> under <paramref name="rect"/>, as a new mask of the rectangle's
    /// size; pixels of the rectangle outside the mask are 0.
    /// </summary>
    public static BinaryMask Crop(BinaryMask mask, PixelRect rect)
    {
        if (rect.Width < 0 || rect.Height < 0)
            throw new ArgumentOutOfRangeException(nameof(rect), $"Crop rectangle {rect} has a negative size.");
        var result = new BinaryMask(rect.Width, rect.Height);
        CopyClipped(mask, result, -rect.X, -rect.Y);
        return result;
    }

    /// <summary>
    /// Overwrites the pixels of <paramref name="target"/> under <paramref name="source"/> placed with its
    /// top-left corner at (<paramref name="x"/>, <paramref name="y"/>) (background pixels of the source
    /// included); the parts falling outside the target are dropped.
    /// </summary>
    public static void Paste(BinaryMask target, BinaryMask source, int x, int y) => CopyClipped(source, target, x, y);

    /// <summary>Copies source pixel (sx, sy) to target pixel (sx + dx, sy + dy) where both exist.</summary>
    private static void CopyClipped(BinaryMask source, BinaryMask target, int dx, int dy)
    {
        var x0 = Math.Max(0, -(long)dx);
        var x1 = Math.Min(source.Width, (long)target.Width - dx);
        var y0 = Math.Max(0, -(long)dy);
        var y1 = Math.Min(source.Height, (long)target.Height - dy);
        if (x1 <= x0 || y1 <= y0) return;
        var length = (int)(x1 - x0);
        for (var sy = (int)y0; sy < y1; sy++)
            Array.Copy(source.Data, sy * source.Width + (int)x0, target.Data, (sy + dy) * target.Width + (int)x0 + dx, length);
    }

    /// <summary>
    /// Nearest-neighbour resize with pixel centres aligned (destination pixel i samples source pixel
    /// floor((i + 0.5) * sourceSize / destinationSize), like PyTorch's "nearest-exact").
    /// </summary>
    public static BinaryMask ResizeNearest(BinaryMask mask, int width, int height)
    {
        if (width < 0 || height < 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Target size {width}x{height} is negative.");
        var result = new BinaryMask(width, height);
        if (width == 0 || height == 0) return result;
        if (mask.Width == 0 || mask.Height == 0)
            throw new ArgumentException("Cannot resize an empty (zero-size) mask to a non-empty size.", nameof(mask));
        var columns = NearestIndices(mask.Width, width);
        var src = mask.Data;
        var dst = result.Data;
        for (var y = 0; y < height; y++)
        {
            var sourceRow = (int)((2L * y + 1) * mask.Height / (2L * height)) * mask.Width;
            var row = y * width;
            for (var x = 0; x < width; x++) dst[row + x] = src[sourceRow + columns[x]];
        }
        return result;
    }

    private static int[] NearestIndices(int sourceSize, int destinationSize)
    {
        var indices = new int[destinationSize];
        for (var i = 0; i < destinationSize; i++)
            indices[i] = (int)((2L * i + 1) * sourceSize / (2L * destinationSize));
        return indices;
    }

    /// <summary>
    /// Bilinear resize of a row-major float map (probabilities or logits) with the half-pixel-centre
    /// convention of OpenCV INTER_LINEAR and PyTorch <c>interpolate(mode="bilinear", align_corners=False)</c>
    /// without antialiasing: destination pixel i samples source coordinate (i + 0.5) * sourceSize /
    /// destinationSize - 0.5, clamped to the first and last source pixel.
    /// </summary>
    public static float[] ResizeBilinear(float[] src, int sw, int sh, int dw, int dh)
    {
        ArgumentNullException.ThrowIfNull(src);
        if (sw <= 0 || sh <= 0)
            throw new ArgumentOutOfRangeException(nameof(sw), $"Source size {sw}x{sh} is not positive.");
        if (dw < 0 || dh < 0)
            throw new ArgumentOutOfRangeException(nameof(dw), $"Target size {dw}x{dh} is negative.");
        if (src.Length != (long)sw * sh)
            throw new ArgumentException($"Source has {src.Length} values, expected {sw}x{sh}.", nameof(src));

        var (x0, x1, wx) = LinearTaps(sw, dw);
        var (y0, y1, wy) = LinearTaps(sh, dh);
        var dst = new float[dw * dh];
        var top = new float[dw];
        var bottom = new float[dw];
        for (var y = 0; y < dh; y++)
        {
            InterpolateRow(src, y0[y] * sw, x0, x1, wx, top);
            InterpolateRow(src, y1[y] * sw, x0, x1, wx, bottom);
            var a = wy[y];
            var row = y * dw;
            for (var x = 0; x < dw; x++) dst[row + x] = top[x] + a * (bottom[x] - top[x]);
        }
        return dst;
    }

    private static void InterpolateRow(float[] src, int rowStart, int[] x0, int[] x1, float[] wx, float[] output)
    {
        for (var x = 0; x < output.Length; x++)
        {
            var left = src[rowStart + x0[x]];
            var right = src[rowStart + x1[x]];
            output[x] = left + wx[x] * (right - left);
        }
    }

    /// <summary>For each destination index: the two source taps and the weight of the second.</summary>
    private static (int[] First, int[] Second, float[] Weight) LinearTaps(int sourceSize, int destinationSize)
    {
        var first = new int[destinationSize];
        var second = new int[destinationSize];
        var weight = new float[destinationSize];
        var scale = (double)sourceSize / destinationSize;
        for (var i = 0; i < destinationSize; i++)
        {
            var s = Math.Max(0.0, (i + 0.5) * scale - 0.5);
            var i0 = Math.Min((int)s, sourceSize - 1);
            first[i] = i0;
            second[i] = Math.Min(i0 + 1, sourceSize - 1);
            weight[i] = second[i] == i0 ? 0f : (float)(s - i0);
        }
        return (first, second, weight);
    }

    /// <summary>A mask of the values strictly greater than <paramref name="threshold"/> (NaN is background).</summary>
    public static BinaryMask Threshold(float[] values, int w, int h, float threshold)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != (long)w * h)
            throw new ArgumentException($"Map has {values.Length} values, expected {w}x{h}.", nameof(values));
        var mask = new BinaryMask(w, h);
        var data = mask.Data;
        for (var i = 0; i < values.Length; i++) data[i] = values[i] > threshold ? (byte)1 : (byte)0;
        return mask;
    }

    /// <summary>
    /// Morphological dilation by a Euclidean disk: every pixel whose centre is within
    /// <paramref name="radius"/> of an object pixel's centre.
    /// </summary>
    public static BinaryMask Dilate(BinaryMask mask, double radius)
    {
        RequireRadius(radius);
        if (mask.IsEmpty) return new BinaryMask(mask.Width, mask.Height);
        var squared = DistanceTransform.SquaredDistanceTo(mask);
        var limit = radius * radius;
        var result = new BinaryMask(mask.Width, mask.Height);
        var data = result.Data;
        for (var i = 0; i < data.Length; i++) data[i] = squared[i] <= limit ? (byte)1 : (byte)0;
        return result;
    }

    /// <summary>
    /// Morphological erosion by a Euclidean disk: the object pixels farther than <paramref name="radius"/>
    /// from every background pixel. With <paramref name="borderIsBackground"/> the image is treated as
    /// surrounded by background (as if padded with one ring of zeros), so objects touching the border
    /// shrink away from it too; otherwise only background pixels inside the image count.
    /// </summary>
    public static BinaryMask Erode(BinaryMask mask, double radius, bool borderIsBackground = false)
    {
        RequireRadius(radius);
        int width = mask.Width, height = mask.Height;
        var squared = DistanceTransform.SquaredDistanceToOutside(mask);
        var limit = radius * radius;
        var result = new BinaryMask(width, height);
        var data = result.Data;
        for (var y = 0; y < height; y++)
        {
            var row = y * width;
            var toBorderY = Math.Min(y + 1, height - y);
            for (var x = 0; x < width; x++)
            {
                var i = row + x;
                if (mask.Data[i] == 0) continue;
                double d2 = squared[i];
                if (borderIsBackground)
                {
                    double toBorder = Math.Min(toBorderY, Math.Min(x + 1, width - x));
                    d2 = Math.Min(d2, toBorder * toBorder);
                }
                if (d2 > limit) data[i] = 1;
            }
        }
        return result;
    }

    private static void RequireRadius(double radius)
    {
        if (!(radius >= 0) || double.IsPositiveInfinity(radius))
            throw new ArgumentOutOfRangeException(nameof(radius), $"Radius must be finite and non-negative, got {radius}.");
    }
}
