using Segmentation.Masks;

namespace Segmentation.Tests;

/// <summary>Deterministic random masks for property tests.</summary>
internal static class RandomMasks
{
    /// <summary>Odd and degenerate sizes (width, height) used by the property tests.</summary>
    public static readonly (int Width, int Height)[] Sizes =
    [
        (1, 1), (1, 7), (7, 1), (2, 3), (3, 2), (5, 5), (13, 17), (17, 13), (31, 5), (33, 33), (64, 37), (101, 11),
    ];

    /// <summary>
    /// A mix of noise (at a random density, including nearly empty and nearly full) and blobs, so that both
    /// short and long runs occur.
    /// </summary>
    public static BinaryMask Next(Random random, int width, int height)
    {
        var mask = new BinaryMask(width, height);
        switch (random.Next(6))
        {
            case 0:
                return mask; // empty
            case 1:
                Array.Fill(mask.Data, (byte)1);
                return mask;
            case 2:
            case 3:
            {
                var density = random.NextDouble();
                for (var i = 0; i < mask.Data.Length; i++) mask.Data[i] = random.NextDouble() < density ? (byte)1 : (byte)0;
                return mask;
            }
            default:
            {
                var blobs = random.Next(1, 5);
                for (var b = 0; b < blobs; b++)
                    Raster.FillDisk(mask, random.NextDouble() * width, random.NextDouble() * height,
                        random.NextDouble() * Math.Max(width, height) / 2);
                for (var i = 0; i < mask.Data.Length; i++)
                    if (random.NextDouble() < 0.02) mask.Data[i] ^= 1;
                return mask;
            }
        }
    }

    public static IEnumerable<BinaryMask> Many(int seed, int perSize)
    {
        var random = new Random(seed);
        foreach (var (w, h) in Sizes)
            for (var k = 0; k < perSize; k++)
                yield return Next(random, w, h);
    }

    /// <summary>Parses rows of '#' (object) and '.' (background).</summary>
    public static BinaryMask Parse(params string[] rows)
    {
        var height = rows.Length;
        var width = height == 0 ? 0 : rows[0].Length;
        return BinaryMask.FromPredicate(width, height, (x, y) => rows[y][x] == '#');
    }
}
