namespace Segmentation.Masks;

/// <summary>
/// Builds canonical COCO run lengths (column-major, starting with a run of zeros, no zero-length run after the
/// first, none at the end) from runs appended in order, refusing to grow past a number of counts.
/// </summary>
/// <remarks>The canonical form is what <see cref="CocoRle.EncodeCounts"/> gives for the same mask.</remarks>
internal sealed class RleCountsBuilder
{
    private readonly List<uint> counts = [0];
    private readonly long total;
    private readonly int maxCounts;
    private long covered;

    /// <param name="total">Pixels the runs must cover (height x width, at most <see cref="uint.MaxValue"/>).</param>
    /// <param name="maxCounts">Most counts the result may have; past that <see cref="Overflowed"/> is set and runs are ignored.</param>
    public RleCountsBuilder(long total, int maxCounts)
    {
        if (total is < 0 or > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(total), $"{total} pixels do not fit COCO RLE.");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCounts, 1);
        this.total = total;
        this.maxCounts = maxCounts;
    }

    /// <summary>True once the counts would exceed the limit given to the constructor.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Number of pixels covered so far.</summary>
    public long Covered => covered;

    /// <summary>Appends <paramref name="length"/> pixels of <paramref name="value"/>.</summary>
    public void Add(bool value, long length)
    {
        if (length <= 0 || Overflowed) return;
        if (length > total - covered)
            throw new ArgumentException($"Runs cover more than the {total} pixels of the mask.", nameof(length));
        covered += length;
        var lastIsOne = (counts.Count & 1) == 0; // counts[0] is zeros, so an even count means the last run holds ones
        if (lastIsOne == value)
        {
            counts[^1] += (uint)length;
            return;
        }
        if (counts.Count == maxCounts)
        {
            Overflowed = true;
            return;
        }
        counts.Add((uint)length);
    }

    /// <summary>The counts; they must cover the whole mask.</summary>
    /// <exception cref="InvalidOperationException">The runs do not cover the mask or the limit was passed.</exception>
    public uint[] ToArray()
    {
        if (Overflowed) throw new InvalidOperationException("The run lengths passed their limit.");
        if (covered != total) throw new InvalidOperationException($"Runs cover {covered} of {total} pixels.");
        return counts.ToArray();
    }
}

/// <summary>Operations on COCO run lengths that never build a pixel raster.</summary>
internal static class RleCounts
{
    /// <summary>
    /// The canonical form of <paramref name="counts"/> (zero-length runs dropped, neighbours of the same value merged),
    /// or null when it would have more than <paramref name="maxCounts"/> counts. The counts must sum to <paramref name="total"/>.
    /// </summary>
    public static uint[]? Canonical(IReadOnlyList<uint> counts, long total, int maxCounts)
    {
        var builder = new RleCountsBuilder(total, maxCounts);
        for (var i = 0; i < counts.Count && !builder.Overflowed; i++) builder.Add((i & 1) == 1, counts[i]);
        return builder.Overflowed ? null : builder.ToArray();
    }

    /// <summary>
    /// The union of two masks given as run lengths of the same size (as pycocotools <c>merge</c> computes it), canonical,
    /// or null when it would have more than <paramref name="maxCounts"/> counts.
    /// </summary>
    public static uint[]? Union(IReadOnlyList<uint> a, IReadOnlyList<uint> b, long total, int maxCounts)
    {
        var builder = new RleCountsBuilder(total, maxCounts);
        int ia = -1, ib = -1;
        long remainingA = 0, remainingB = 0;
        while (!builder.Overflowed)
        {
            while (remainingA == 0 && ia < a.Count - 1) remainingA = a[++ia];
            while (remainingB == 0 && ib < b.Count - 1) remainingB = b[++ib];
            if (remainingA == 0 || remainingB == 0) break;
            var step = Math.Min(remainingA, remainingB);
            builder.Add((ia & 1) == 1 || (ib & 1) == 1, step);
            remainingA -= step;
            remainingB -= step;
        }
        if (builder.Overflowed) return null;
        if (remainingA != 0 || remainingB != 0 || builder.Covered != total)
            throw new ArgumentException($"The run lengths do not both cover {total} pixels.");
        return builder.ToArray();
    }

    /// <summary>Canonical run lengths of a mask, or null when they would be more than <paramref name="maxCounts"/>.</summary>
    public static uint[]? FromMask(BinaryMask mask, int maxCounts)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int width = mask.Width, height = mask.Height;
        var data = mask.Data;
        var builder = new RleCountsBuilder((long)width * height, maxCounts);
        var value = false;
        long run = 0;
        for (var x = 0; x < width && !builder.Overflowed; x++)
        {
            for (int y = 0, i = x; y < height; y++, i += width)
            {
                var pixel = data[i] != 0;
                if (pixel != value)
                {
                    builder.Add(value, run);
                    value = pixel;
                    run = 0;
                }
                run++;
            }
        }
        builder.Add(value, run);
        return builder.Overflowed ? null : builder.ToArray();
    }
}
