using System.Numerics;

namespace Segmentation.Masks;

/// <summary>
/// The run lengths of a COCO polygon, identical to <see cref="CocoPolygon.PolygonCounts"/> (pycocotools <c>frPoly</c>),
/// computed with memory proportional to the polygon's bounding box clipped to the image rather than to the image or
/// to the length of its outline.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="CocoPolygon.PolygonCounts"/> keeps a list of every toggle of the outline walk
/// (<see cref="CocoPolygonOutline.Walk"/>), and its callers decode the result into an image-size raster. Here each toggle
/// flips one bit of a parity bitmap covering only the pixel columns and rows the polygon can reach (a row more for
/// the toggles pycocotools clamps to the image height). Toggles at the same column-major position cancel in
/// pairs in pycocotools, so a parity bit keeps exactly what matters; scanning the bitmap in column-major order
/// then gives the same run lengths.
/// </para>
/// <para>
/// The walk takes one step per 1/5 pixel of outline, so its length is limited: a caller passes the most steps it
/// accepts (see <see cref="Steps"/>), and coordinates beyond about ±200 million pixels are refused.
/// </para>
/// </remarks>
internal static class BoundedCocoPolygon
{
    /// <summary>
    /// Number of outline steps the rasterisation of <paramref name="xy"/> takes, or null when a coordinate is too large
    /// to upsample. The coordinates must be finite and of even count.
    /// </summary>
    public static long? Steps(ReadOnlySpan<double> xy)
    {
        var k = xy.Length / 2;
        if (k == 0) return 0;
        long steps = 0;
        if (!TryUpsample(xy[0], out var x0) || !TryUpsample(xy[1], out var y0)) return null;
        long px = x0, py = y0;
        for (var j = 1; j <= k; j++)
        {
            long x, y;
            if (j == k) (x, y) = (x0, y0);
            else if (!TryUpsample(xy[2 * j], out var xi) || !TryUpsample(xy[2 * j + 1], out var yi)) return null;
            else (x, y) = (xi, yi);
            steps += Math.Max(Math.Abs(x - px), Math.Abs(y - py)) + 1;
            (px, py) = (x, y);
        }
        return steps;
    }

    /// <summary>
    /// The run lengths of one polygon on a <paramref name="height"/> x <paramref name="width"/> image, or null when they
    /// would be more than <paramref name="maxCounts"/>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The coordinates are not finite, of odd count or too large to upsample (check <see cref="Steps"/> first), or the
    /// image has more than <see cref="uint.MaxValue"/> pixels.
    /// </exception>
    public static uint[]? Counts(ReadOnlySpan<double> xy, int height, int width, int maxCounts)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"Mask size {height}x{width} (h x w) is not positive.");
        if (xy.Length % 2 != 0) throw new ArgumentException($"A polygon needs an even number of coordinates, got {xy.Length}.", nameof(xy));
        var total = (long)height * width;
        if (total > uint.MaxValue) throw new ArgumentException($"Mask {height}x{width} is too large for COCO RLE.");
        var k = xy.Length / 2;
        var builder = new RleCountsBuilder(total, maxCounts);
        if (k == 0)
        {
            builder.Add(false, total);
            return builder.ToArray();
        }

        var x = new int[k + 1];
        var y = new int[k + 1];
        for (var j = 0; j < k; j++)
        {
            if (!TryUpsample(xy[2 * j], out x[j]) || !TryUpsample(xy[2 * j + 1], out y[j]))
                throw new ArgumentException($"Polygon point {j} ({xy[2 * j]}, {xy[2 * j + 1]}) cannot be rasterised.", nameof(xy));
        }
        x[k] = x[0];
        y[k] = y[0];

        int minU = int.MaxValue, maxU = int.MinValue, minV = int.MaxValue, maxV = int.MinValue;
        for (var j = 0; j < k; j++)
        {
            minU = Math.Min(minU, x[j]);
            maxU = Math.Max(maxU, x[j]);
            minV = Math.Min(minV, y[j]);
            maxV = Math.Max(maxV, y[j]);
        }

        // Toggles land on image columns mapped back from the outline's columns (one less on the way right) and on
        // rows mapped back from its rows; both mappings are monotonic, so the extremes bound them.
        var firstColumn = (long)Math.Max(0, Math.Ceiling(CocoPolygonOutline.BackToImage(minU - 1L)));
        var lastColumn = (long)Math.Min(width - 1, Math.Floor(CocoPolygonOutline.BackToImage(maxU)));
        var firstRow = (long)CocoPolygonOutline.RowOf(minV, height);
        var lastRow = (long)CocoPolygonOutline.RowOf(maxV, height);
        if (firstColumn > lastColumn)
        {
            builder.Add(false, total);
            return builder.ToArray();
        }
        var rows = lastRow - firstRow + 1;
        var bits = (lastColumn - firstColumn + 1) * rows;
        var parity = new ulong[(bits + 63) / 64];

        var bitmap = new ParityBitmap(parity, firstColumn, lastColumn, firstRow, lastRow);
        CocoPolygonOutline.Walk(x, y, height, width, ref bitmap);

        // Column-major scan of the parity bits: each set bit is a toggle at column * height + row (row may be height,
        // which is the top of the next column, so equal positions still meet in order and cancel).
        var value = false;
        long runStart = 0;
        long pendingPosition = -1;
        var pendingOdd = false;
        void Toggle(long position)
        {
            builder.Add(value, position - runStart);
            value = !value;
            runStart = position;
        }
        for (var word = 0; word < parity.Length && !builder.Overflowed; word++)
        {
            var w = parity[word];
            while (w != 0)
            {
                var bit = ((long)word << 6) + BitOperations.TrailingZeroCount(w);
                w &= w - 1;
                var position = (firstColumn + bit / rows) * height + firstRow + bit % rows;
                if (position == pendingPosition)
                {
                    pendingOdd = !pendingOdd;
                    continue;
                }
                if (pendingOdd) Toggle(pendingPosition);
                pendingPosition = position;
                pendingOdd = true;
            }
        }
        if (pendingOdd && pendingPosition < total) Toggle(pendingPosition);
        builder.Add(value, total - runStart);
        return builder.Overflowed ? null : builder.ToArray();
    }

    private static bool TryUpsample(double value, out int upsampled)
    {
        var scaled = CocoPolygonOutline.Scale * value + 0.5;
        // Kept within ±2^30 so that differences of two upsampled values still fit an int.
        if (!double.IsFinite(scaled) || Math.Abs(scaled) >= 1 << 30)
        {
            upsampled = 0;
            return false;
        }
        upsampled = CocoPolygonOutline.Upsample(value);
        return true;
    }

    /// <summary>Flips the bit of each toggle in a parity bitmap of the pixels from (firstColumn, firstRow) to (lastColumn, lastRow), column by column.</summary>
    private readonly struct ParityBitmap(ulong[] parity, long firstColumn, long lastColumn, long firstRow, long lastRow) : IPolygonToggles
    {
        private readonly long rows = lastRow - firstRow + 1;

        public void Toggle(long column, int row)
        {
            if (column < firstColumn || column > lastColumn || row < firstRow || row > lastRow)
                throw new InvalidOperationException($"Polygon toggle ({column}, {row}) outside its bounds; this is a bug.");
            var bit = (column - firstColumn) * rows + (row - firstRow);
            parity[bit >> 6] ^= 1UL << (int)(bit & 63);
        }
    }
}
