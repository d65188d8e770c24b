using System.Text;

namespace Segmentation.Simulation;

/// <summary>
/// Deterministic normal sampling on top of <see cref="Random"/> and stable per-instance seeds.
/// </summary>
/// <remarks>
/// Sampling uses the Box-Muller transform: each normal variate consumes exactly two uniform draws
/// (the second Box-Muller variate is discarded), so a <c>new Random(seed)</c> always yields the
/// same sequence and no hidden state is kept between calls.
/// </remarks>
public static class GaussianRandom
{
    /// <summary>A standard normal variate N(0, 1).</summary>
    public static double NextGaussian(this Random rng)
    {
        // 1 - U lies in (0, 1], so the logarithm is finite.
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A normal variate N(<paramref name="mean"/>, <paramref name="sigma"/>²).</summary>
    public static double NextGaussian(this Random rng, double mean, double sigma) =>
        mean + sigma * rng.NextGaussian();

    /// <summary>
    /// A non-negative seed derived from a base seed and an instance key (for example an image name and
    /// object id). Stable across processes, platforms and .NET versions: FNV-1a over the UTF-8 bytes of
    /// the key, mixed with the seed through the SplitMix64 finaliser. (<see cref="string.GetHashCode()"/>
    /// is randomised per process and must not be used for this.)
    /// </summary>
    public static int DeriveSeed(int seed, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        const ulong fnvOffset = 14695981039346656037UL;
        const ulong fnvPrime = 1099511628211UL;
        var hash = fnvOffset;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash ^= b;
            hash *= fnvPrime;
        }
        var mixed = Mix64(hash ^ Mix64((ulong)(uint)seed + 0x9E3779B97F4A7C15UL));
        return (int)(mixed >> 33); // 31 bits: always in [0, int.MaxValue]
    }

    /// <summary>A generator seeded with <see cref="DeriveSeed"/>.</summary>
    public static Random ForInstance(int seed, string key) => new(DeriveSeed(seed, key));

    private static ulong Mix64(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
