using System.Buffers;
using System.Text;

namespace Segmentation.Interchange;

/// <summary>
/// A set of strings, each with an int (the row that first used it), stored as UTF-8 in large shared chunks.
/// </summary>
/// <remarks>
/// The importers must know every instance id already used in a file, and the exporters every image or mask name,
/// so this is the one structure whose size grows with the file. A <c>Dictionary&lt;string, int&gt;</c> costs about
/// 60 bytes per short id and one object per id for the collector to trace; this costs the id's UTF-8 bytes plus
/// about 24 bytes, in a handful of arrays. Hashes use the process's randomised string hash, so crafted ids cannot
/// force collisions.
/// </remarks>
internal sealed class CompactStringMap
{
    private const int ChunkSize = 1 << 20;
    private const int MaxKeyBytes = ChunkSize;

    private readonly List<byte[]> chunks = [];
    private int chunkUsed = ChunkSize;

    // Entry i: its bytes at (chunk, offset, length), its hash and its value. Slots hold entry index + 1, 0 when free.
    private int[] entryChunk = new int[16];
    private int[] entryOffset = new int[16];
    private int[] entryLength = new int[16];
    private int[] entryHash = new int[16];
    private int[] entryValue = new int[16];
    private int[] slots = new int[32];

    public int Count { get; private set; }

    /// <summary>Adds <paramref name="key"/> with <paramref name="value"/>; when it is already there, returns false and its value.</summary>
    /// <exception cref="ArgumentException">The key is longer than 1 MiB in UTF-8.</exception>
    public bool TryAdd(string key, int value, out int existing)
    {
        ArgumentNullException.ThrowIfNull(key);
        var byteCount = Encoding.UTF8.GetByteCount(key);
        if (byteCount > MaxKeyBytes) throw new ArgumentException($"A name of {byteCount} bytes is too long to track.", nameof(key));
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(byteCount, 1));
        try
        {
            var bytes = rented.AsSpan(0, Encoding.UTF8.GetBytes(key, rented));
            var hash = string.GetHashCode(key.AsSpan());
            var mask = slots.Length - 1;
            for (var slot = hash & mask; ; slot = (slot + 1) & mask)
            {
                var index = slots[slot] - 1;
                if (index < 0) break;
                if (entryHash[index] == hash && KeyBytes(index).SequenceEqual(bytes))
                {
                    existing = entryValue[index];
                    return false;
                }
            }
            Insert(bytes, hash, value);
            existing = value;
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private ReadOnlySpan<byte> KeyBytes(int index) => chunks[entryChunk[index]].AsSpan(entryOffset[index], entryLength[index]);

    private void Insert(ReadOnlySpan<byte> bytes, int hash, int value)
    {
        if (ChunkSize - chunkUsed < bytes.Length)
        {
            chunks.Add(new byte[ChunkSize]);
            chunkUsed = 0;
        }
        var chunk = chunks[^1];
        bytes.CopyTo(chunk.AsSpan(chunkUsed));

        if (Count == entryHash.Length)
        {
            var size = Count * 2;
            Array.Resize(ref entryChunk, size);
            Array.Resize(ref entryOffset, size);
            Array.Resize(ref entryLength, size);
            Array.Resize(ref entryHash, size);
            Array.Resize(ref entryValue, size);
        }
        var index = Count++;
        entryChunk[index] = chunks.Count - 1;
        entryOffset[index] = chunkUsed;
        entryLength[index] = bytes.Length;
        entryHash[index] = hash;
        entryValue[index] = value;
        chunkUsed += bytes.Length;

        if (Count * 4 > slots.Length * 3) Rehash(slots.Length * 2);
        else Place(index, slots);
    }

    private void Rehash(int size)
    {
        var fresh = new int[size];
        for (var i = 0; i < Count; i++) Place(i, fresh);
        slots = fresh;
    }

    private void Place(int index, int[] table)
    {
        var mask = table.Length - 1;
        var slot = entryHash[index] & mask;
        while (table[slot] != 0) slot = (slot + 1) & mask;
        table[slot] = index + 1;
    }
}
