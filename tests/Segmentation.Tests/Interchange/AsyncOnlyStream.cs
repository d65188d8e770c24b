namespace Segmentation.Tests.Interchange;

/// <summary>
/// A stream that cannot seek and, like an ASP.NET response body, refuses synchronous writes and flushes. Written
/// bytes go to an optional sink (or are only counted); a readable one reads from a source.
/// </summary>
internal sealed class AsyncOnlyStream(Stream? sink = null, Stream? readable = null) : Stream
{
    public long BytesWritten { get; private set; }
    public int Flushes { get; private set; }

    public override bool CanRead => readable is not null;
    public override bool CanWrite => readable is null;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => throw Synchronous();
    public override void Write(ReadOnlySpan<byte> buffer) => throw Synchronous();
    public override void WriteByte(byte value) => throw Synchronous();
    public override void Flush() => throw Synchronous();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        sink?.Write(buffer.Span);
        BytesWritten += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flushes++;
        return Task.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        (readable ?? throw new NotSupportedException()).Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private static InvalidOperationException Synchronous() =>
        new("Synchronous operations are disallowed. Call WriteAsync or set AllowSynchronousIO to true instead.");
}
