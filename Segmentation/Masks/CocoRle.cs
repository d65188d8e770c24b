using System.Text;

namespace Segmentation.Masks;

/// <summary>
/// COCO run-length encoding, compatible with the reference COCO API (pycocotools).
/// </summary>
/// <remarks>
/// <para>
/// Pixels are visited in column-major (Fortran) order: down the first column, then down the second,
/// and so on. The counts are the lengths of alternating runs, always starting with a run of zeros
/// (which is 0 when the first pixel is set). An empty mask of h x w pixels is <c>[h*w]</c>, a full one
/// <c>[0, h*w]</c>; the encoder never emits a zero-length run except possibly the first.
/// </para>
/// <para>
/// The compressed string form writes each count as a signed little-endian base-32 number, one
/// character per 5-bit group: the low five bits of each character (after subtracting 48) carry the
/// value, bit 0x20 says another group follows, and bit 0x10 of the last group is the sign. From the
/// fourth count on (index i &gt; 2) the value written is <c>counts[i] - counts[i-2]</c>, which is usually
/// small. Characters are therefore in '0' (48) .. 'o' (111).
/// </para>
/// </remarks>
public static class CocoRle
{
    private const int CharOffset = 48;
    private const int MaxGroupsPerValue = 12; // 60 bits: far more than any valid count or delta needs

    /// <summary>Column-major run lengths of <paramref name="mask"/>, starting with a run of zeros.</summary>
    public static uint[] EncodeCounts(BinaryMask mask)
    {
        int width = mask.Width, height = mask.Height;
        var data = mask.Data;
        var counts = new List<uint>();
        byte previous = 0;
        uint run = 0;
        for (var x = 0; x < width; x++)
        {
            for (int y = 0, i = x; y < height; y++, i += width)
            {
                var value = data[i];
                if (value != previous)
                {
                    counts.Add(run);
                    run = 0;
                    previous = value;
                }
                run++;
            }
        }
        counts.Add(run);
        return counts.ToArray();
    }

    /// <summary>Decodes column-major run lengths (uncompressed COCO RLE) into a mask.</summary>
    /// <exception cref="ArgumentException">The counts do not sum to <paramref name="height"/> x <paramref name="width"/>.</exception>
    public static BinaryMask DecodeCounts(IReadOnlyList<uint> counts, int height, int width)
    {
        var asLong = new long[counts.Count];
        for (var i = 0; i < asLong.Length; i++) asLong[i] = counts[i];
        return DecodeCounts(asLong, height, width);
    }

    /// <summary>Decodes column-major run lengths (uncompressed COCO RLE, e.g. parsed from JSON) into a mask.</summary>
    /// <exception cref="ArgumentException">A count is negative or the counts do not sum to <paramref name="height"/> x <paramref name="width"/>.</exception>
    public static BinaryMask DecodeCounts(IReadOnlyList<long> counts, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (height < 0 || width < 0)
            throw new ArgumentOutOfRangeException(nameof(height), $"RLE size {height}x{width} (h x w) is negative.");
        var total = (long)height * width;
        long sum = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            if (counts[i] < 0)
                throw new ArgumentException($"RLE count {i} is negative ({counts[i]}).", nameof(counts));
            sum += counts[i];
            if (sum > total)
                throw new ArgumentException(
                    $"RLE counts exceed the mask size: they reach {sum} by count {i} but the mask is {height}x{width} (h x w) = {total} pixels.",
                    nameof(counts));
        }
        if (sum != total)
            throw new ArgumentException(
                $"RLE counts sum to {sum}, expected {height}x{width} (h x w) = {total} pixels.", nameof(counts));

        var mask = new BinaryMask(width, height);
        var data = mask.Data;
        long position = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            var run = counts[i];
            if ((i & 1) == 1 && run > 0) FillColumnMajor(data, width, height, position, run);
            position += run;
        }
        return mask;
    }

    /// <summary>Sets <paramref name="length"/> pixels starting at column-major index <paramref name="start"/>.</summary>
    private static void FillColumnMajor(byte[] data, int width, int height, long start, long length)
    {
        var x = (int)(start / height);
        var y = (int)(start % height);
        while (length > 0)
        {
            var inColumn = (int)Math.Min(length, height - y);
            for (int k = 0, i = y * width + x; k < inColumn; k++, i += width) data[i] = 1;
            length -= inColumn;
            x++;
            y = 0;
        }
    }

    /// <summary>The compressed COCO string form of run lengths (pycocotools <c>rleToString</c>).</summary>
    public static string EncodeString(IReadOnlyList<uint> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var builder = new StringBuilder(counts.Count * 2);
        for (var i = 0; i < counts.Count; i++)
        {
            long x = counts[i];
            if (i > 2) x -= counts[i - 2];
            var more = true;
            while (more)
            {
                var c = (int)(x & 0x1f);
                x >>= 5; // arithmetic shift keeps the sign
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                builder.Append((char)(c + CharOffset));
            }
        }
        return builder.ToString();
    }

    /// <summary>The compressed COCO string of <paramref name="mask"/> (what pycocotools <c>mask.encode</c> returns as <c>counts</c>).</summary>
    public static string Encode(BinaryMask mask) => EncodeString(EncodeCounts(mask));

    /// <summary>Parses the compressed COCO string form back into run lengths (pycocotools <c>rleFrString</c>).</summary>
    /// <exception cref="FormatException">A character is outside '0'..'o', the string ends inside a value, or a count is out of range.</exception>
    public static uint[] DecodeString(string counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var result = new List<uint>(counts.Length);
        var p = 0;
        while (p < counts.Length)
        {
            var start = p;
            long x = 0;
            var k = 0;
            var more = true;
            while (more)
            {
                if (p >= counts.Length)
                    throw new FormatException($"COCO RLE string ends inside the value that starts at character {start}.");
                var ch = counts[p];
                var c = ch - CharOffset;
                if (c is < 0 or > 0x3f)
                    throw new FormatException(
                        $"COCO RLE string has an invalid character '{ch}' (U+{(int)ch:X4}) at position {p}; expected '0'..'o'.");
                if (k >= MaxGroupsPerValue)
                    throw new FormatException($"COCO RLE string has an overlong value starting at character {start}.");
                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) x |= -1L << (5 * k);
            }
            var m = result.Count;
            if (m > 2) x += result[m - 2];
            if (x is < 0 or > uint.MaxValue)
                throw new FormatException($"COCO RLE count {m} (from character {start}) is out of range: {x}.");
            result.Add((uint)x);
        }
        return result.ToArray();
    }

    /// <summary>Decodes a compressed COCO string into a mask of <paramref name="height"/> x <paramref name="width"/>.</summary>
    /// <exception cref="FormatException">The string is malformed.</exception>
    /// <exception cref="ArgumentException">The counts do not sum to height x width.</exception>
    public static BinaryMask Decode(string counts, int height, int width) => DecodeCounts(DecodeString(counts), height, width);

    /// <summary>Number of set pixels: the sum of the odd-indexed runs.</summary>
    public static long Area(IReadOnlyList<uint> counts)
    {
        long area = 0;
        for (var i = 1; i < counts.Count; i += 2) area += counts[i];
        return area;
    }

    /// <summary>
    /// Intersection over union computed directly on two run-length encodings of the same size
    /// (1 when both are empty, following the convention of <see cref="MaskMetrics.IoU"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The encodings cover different numbers of pixels.</exception>
    public static double IoU(IReadOnlyList<uint> a, IReadOnlyList<uint> b)
    {
        long totalA = 0, totalB = 0;
        foreach (var c in a) totalA += c;
        foreach (var c in b) totalB += c;
        if (totalA != totalB)
            throw new ArgumentException($"RLE sizes differ: {totalA} and {totalB} pixels.");

        long intersection = 0, union = 0;
        int ia = 0, ib = 0;
        long remainingA = a.Count > 0 ? a[0] : 0, remainingB = b.Count > 0 ? b[0] : 0;
        while (true)
        {
            while (remainingA == 0 && ia < a.Count - 1) remainingA = a[++ia];
            while (remainingB == 0 && ib < b.Count - 1) remainingB = b[++ib];
            if (remainingA == 0 || remainingB == 0) break;
            var step = Math.Min(remainingA, remainingB);
            bool inA = (ia & 1) == 1, inB = (ib & 1) == 1;
            if (inA || inB) union += step;
            if (inA && inB) intersection += step;
            remainingA -= step;
            remainingB -= step;
        }
        return union == 0 ? 1.0 : (double)intersection / union;
    }
}

/// <summary>A compressed COCO RLE mask, as stored in COCO JSON: <c>{"size": [Height, Width], "counts": Counts}</c>.</summary>
public sealed record RleMask(int Height, int Width, string Counts)
{
    public static RleMask FromMask(BinaryMask mask) => new(mask.Height, mask.Width, CocoRle.Encode(mask));

    /// <summary>Builds the compressed form from uncompressed run lengths, checking that they cover the mask exactly.</summary>
    public static RleMask FromCounts(IReadOnlyList<uint> counts, int height, int width)
    {
        long sum = 0;
        foreach (var c in counts) sum += c;
        if (sum != (long)height * width)
            throw new ArgumentException($"RLE counts sum to {sum}, expected {height}x{width} (h x w) = {(long)height * width} pixels.", nameof(counts));
        return new RleMask(height, width, CocoRle.EncodeString(counts));
    }

    public BinaryMask ToMask() => CocoRle.Decode(Counts, Height, Width);

    public uint[] ToCounts() => CocoRle.DecodeString(Counts);

    public long Area() => CocoRle.Area(ToCounts());
}
