using System.Buffers.Binary;
using System.Text;

namespace Segmentation.Interchange;

/// <summary>A temporary file that is deleted when closed, for data an exporter must write after the rest.</summary>
internal static class TempSpool
{
    public static FileStream Create() =>
        new(Path.Combine(Path.GetTempPath(), $"interchange-{Guid.NewGuid():N}.tmp"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16, FileOptions.DeleteOnClose);
}

/// <summary>CRC-32 (IEEE 802.3, as zip uses it).</summary>
internal static class Crc32
{
    private static readonly uint[] Table = MakeTable();

    private static uint[] MakeTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>The CRC of the data so far (start from 0) extended by <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        foreach (var b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }
}

/// <summary>
/// Writes a zip archive front to back to a stream that need not seek, with asynchronous writes only, keeping the
/// central directory in a temporary file rather than in memory.
/// </summary>
/// <remarks>
/// <para>
/// <c>System.IO.Compression.ZipArchive</c> is not used: even through its .NET 10 asynchronous API it writes each
/// entry's data descriptor synchronously when the output cannot seek (which an ASP.NET response body refuses), and
/// it keeps an object per entry until the end. Here every entry's size and CRC are known before its local header is
/// written, so no data descriptor is needed, and the archive switches to Zip64 records when it has 65535 entries or
/// more, or passes 4 GiB.
/// </para>
/// <para>The caller adds entries one at a time, then calls <see cref="FinishAsync"/>; disposing only deletes the temporary file.</para>
/// </remarks>
internal sealed class StreamingZipWriter(Stream output) : IAsyncDisposable
{
    private const uint Max32 = uint.MaxValue;
    private const ushort Max16 = ushort.MaxValue;
    private const ushort Stored = 0, Deflated = 8;
    private const long FlushEvery = 1 << 20;

    private readonly FileStream central = TempSpool.Create();
    private readonly (ushort Time, ushort Date) stamp = DosTime(DateTime.Now);
    private long position;
    private long unflushed;
    private long entries;
    private bool finished;

    /// <summary>Adds an entry stored as it is.</summary>
    public Task AddStoredAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellation) =>
        AddAsync(name, Stored, Crc32.Append(0, data.Span), data.Length, data.Length,
            async () => await WriteAsync(data, cancellation), cancellation);

    /// <summary>Adds an entry whose raw deflate data is in <paramref name="compressed"/>, from its position to its end.</summary>
    public Task AddDeflatedAsync(string name, Stream compressed, uint crc, long uncompressedLength, CancellationToken cancellation)
    {
        var compressedLength = compressed.Length - compressed.Position;
        return AddAsync(name, Deflated, crc, compressedLength, uncompressedLength, async () =>
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await compressed.ReadAsync(buffer, cancellation)) > 0) await WriteAsync(buffer.AsMemory(0, read), cancellation);
        }, cancellation);
    }

    private async Task AddAsync(string name, ushort method, uint crc, long compressedLength, long uncompressedLength,
        Func<Task> writeData, CancellationToken cancellation)
    {
        if (finished) throw new InvalidOperationException("The archive is already finished.");
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var flags = (ushort)(Ascii.IsValid(name) ? 0 : 0x0800); // bit 11: the name is UTF-8
        var offset = position;
        var bigSizes = compressedLength >= Max32 || uncompressedLength >= Max32;
        var version = (ushort)(bigSizes || offset >= Max32 ? 45 : 20);

        var local = new byte[30 + nameBytes.Length + (bigSizes ? 20 : 0)];
        var s = local.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], version);
        BinaryPrimitives.WriteUInt16LittleEndian(s[6..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(s[8..], method);
        BinaryPrimitives.WriteUInt16LittleEndian(s[10..], stamp.Time);
        BinaryPrimitives.WriteUInt16LittleEndian(s[12..], stamp.Date);
        BinaryPrimitives.WriteUInt32LittleEndian(s[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(s[18..], bigSizes ? Max32 : (uint)compressedLength);
        BinaryPrimitives.WriteUInt32LittleEndian(s[22..], bigSizes ? Max32 : (uint)uncompressedLength);
        BinaryPrimitives.WriteUInt16LittleEndian(s[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(s[28..], (ushort)(bigSizes ? 20 : 0));
        nameBytes.CopyTo(s[30..]);
        if (bigSizes)
        {
            var extra = s[(30 + nameBytes.Length)..];
            BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x0001);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 16);
            BinaryPrimitives.WriteUInt64LittleEndian(extra[4..], (ulong)uncompressedLength);
            BinaryPrimitives.WriteUInt64LittleEndian(extra[12..], (ulong)compressedLength);
        }
        await WriteAsync(local, cancellation);
        await writeData();
        WriteCentralRecord(nameBytes, flags, version, method, crc, compressedLength, uncompressedLength, offset);
        entries++;
        if (unflushed >= FlushEvery)
        {
            unflushed = 0;
            await output.FlushAsync(cancellation);
        }
    }

    private void WriteCentralRecord(byte[] name, ushort flags, ushort version, ushort method, uint crc, long compressed, long uncompressed, long offset)
    {
        var extraLength = (uncompressed >= Max32 ? 8 : 0) + (compressed >= Max32 ? 8 : 0) + (offset >= Max32 ? 8 : 0);
        var record = new byte[46 + name.Length + (extraLength > 0 ? 4 + extraLength : 0)];
        var s = record.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, 0x02014b50);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], 45); // made by: spec version 4.5, MS-DOS attributes
        BinaryPrimitives.WriteUInt16LittleEndian(s[6..], version);
        BinaryPrimitives.WriteUInt16LittleEndian(s[8..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(s[10..], method);
        BinaryPrimitives.WriteUInt16LittleEndian(s[12..], stamp.Time);
        BinaryPrimitives.WriteUInt16LittleEndian(s[14..], stamp.Date);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], compressed >= Max32 ? Max32 : (uint)compressed);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], uncompressed >= Max32 ? Max32 : (uint)uncompressed);
        BinaryPrimitives.WriteUInt16LittleEndian(s[28..], (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(s[30..], (ushort)(extraLength > 0 ? 4 + extraLength : 0));
        // Comment length, disk number, internal and external attributes stay 0.
        BinaryPrimitives.WriteUInt32LittleEndian(s[42..], offset >= Max32 ? Max32 : (uint)offset);
        name.CopyTo(s[46..]);
        if (extraLength > 0)
        {
            var extra = s[(46 + name.Length)..];
            BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x0001);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)extraLength);
            var at = 4;
            // Only the fields whose 32-bit value is saturated, in this order.
            if (uncompressed >= Max32) { BinaryPrimitives.WriteUInt64LittleEndian(extra[at..], (ulong)uncompressed); at += 8; }
            if (compressed >= Max32) { BinaryPrimitives.WriteUInt64LittleEndian(extra[at..], (ulong)compressed); at += 8; }
            if (offset >= Max32) BinaryPrimitives.WriteUInt64LittleEndian(extra[at..], (ulong)offset);
        }
        central.Write(record);
    }

    /// <summary>Writes the central directory and the end records, then flushes the output.</summary>
    public async Task FinishAsync(CancellationToken cancellation)
    {
        if (finished) throw new InvalidOperationException("The archive is already finished.");
        finished = true;
        var directoryOffset = position;
        var directorySize = central.Length;
        central.Position = 0;
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await central.ReadAsync(buffer, cancellation)) > 0) await WriteAsync(buffer.AsMemory(0, read), cancellation);

        var zip64 = entries >= Max16 || directorySize >= Max32 || directoryOffset >= Max32;
        var end = new byte[(zip64 ? 56 + 20 : 0) + 22];
        var s = end.AsSpan();
        if (zip64)
        {
            var zip64End = position;
            BinaryPrimitives.WriteUInt32LittleEndian(s, 0x06064b50);
            BinaryPrimitives.WriteUInt64LittleEndian(s[4..], 44); // the size of the rest of this record
            BinaryPrimitives.WriteUInt16LittleEndian(s[12..], 45);
            BinaryPrimitives.WriteUInt16LittleEndian(s[14..], 45);
            BinaryPrimitives.WriteUInt64LittleEndian(s[24..], (ulong)entries);
            BinaryPrimitives.WriteUInt64LittleEndian(s[32..], (ulong)entries);
            BinaryPrimitives.WriteUInt64LittleEndian(s[40..], (ulong)directorySize);
            BinaryPrimitives.WriteUInt64LittleEndian(s[48..], (ulong)directoryOffset);
            s = s[56..];
            BinaryPrimitives.WriteUInt32LittleEndian(s, 0x07064b50);
            BinaryPrimitives.WriteUInt64LittleEndian(s[8..], (ulong)zip64End);
            BinaryPrimitives.WriteUInt32LittleEndian(s[16..], 1); // one disk in all
            s = s[20..];
        }
        BinaryPrimitives.WriteUInt32LittleEndian(s, 0x06054b50);
        var count16 = entries >= Max16 ? Max16 : (ushort)entries;
        BinaryPrimitives.WriteUInt16LittleEndian(s[8..], count16);
        BinaryPrimitives.WriteUInt16LittleEndian(s[10..], count16);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], directorySize >= Max32 ? Max32 : (uint)directorySize);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], directoryOffset >= Max32 ? Max32 : (uint)directoryOffset);
        await WriteAsync(end, cancellation);
        await output.FlushAsync(cancellation);
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        await output.WriteAsync(data, cancellation);
        position += data.Length;
        unflushed += data.Length;
    }

    public ValueTask DisposeAsync() => central.DisposeAsync();

    private static (ushort Time, ushort Date) DosTime(DateTime time)
    {
        if (time.Year < 1980) time = new DateTime(1980, 1, 1);
        return ((ushort)((time.Hour << 11) | (time.Minute << 5) | (time.Second / 2)),
                (ushort)(((time.Year - 1980) << 9) | (time.Month << 5) | time.Day));
    }
}
