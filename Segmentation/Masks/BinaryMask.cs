namespace Segmentation.Masks;

/// <summary>A row-major binary mask; each byte is 0 (background) or 1 (object).</summary>
public sealed class BinaryMask : IEquatable<BinaryMask>
{
    public BinaryMask(int width, int height)
        : this(width, height, new byte[checked(width * height)])
    {
    }

    public BinaryMask(int width, int height, byte[] data)
    {
        if (width < 0 || height < 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Mask size {width}x{height} is negative.");
        if (data.Length != width * height)
            throw new ArgumentException($"Mask data has {data.Length} bytes, expected {width}x{height}.", nameof(data));
        Width = width;
        Height = height;
        Data = data;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Row-major pixels, 0 or 1.</summary>
    public byte[] Data { get; }

    public bool this[int x, int y]
    {
        get => Data[y * Width + x] != 0;
        set => Data[y * Width + x] = value ? (byte)1 : (byte)0;
    }

    public bool Contains(int x, int y) => x >= 0 && y >= 0 && x < Width && y < Height;

    public long Area()
    {
        long area = 0;
        foreach (var b in Data) area += b;
        return area;
    }

    public bool IsEmpty => Array.IndexOf(Data, (byte)1) < 0;

    public BinaryMask Clone() => new(Width, Height, (byte[])Data.Clone());

    public static BinaryMask FromPredicate(int width, int height, Func<int, int, bool> isObject)
    {
        var mask = new BinaryMask(width, height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                if (isObject(x, y)) mask.Data[y * width + x] = 1;
        return mask;
    }

    /// <summary>Tight bounding box of the object pixels, or null for an empty mask.</summary>
    public PixelRect? BoundingBox()
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (var y = 0; y < Height; y++)
        {
            var row = y * Width;
            for (var x = 0; x < Width; x++)
            {
                if (Data[row + x] == 0) continue;
                if (x < minX) minX = x;
                if (x > maxX) maxX = x;
                if (y < minY) minY = y;
                if (y > maxY) maxY = y;
            }
        }
        return maxX < 0 ? null : new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    public BinaryMask And(BinaryMask other) => Combine(other, static (a, b) => (byte)(a & b));
    public BinaryMask Or(BinaryMask other) => Combine(other, static (a, b) => (byte)(a | b));
    public BinaryMask AndNot(BinaryMask other) => Combine(other, static (a, b) => (byte)(a & (b ^ 1)));

    public BinaryMask Not()
    {
        var result = new byte[Data.Length];
        for (var i = 0; i < result.Length; i++) result[i] = (byte)(Data[i] ^ 1);
        return new BinaryMask(Width, Height, result);
    }

    private BinaryMask Combine(BinaryMask other, Func<byte, byte, byte> op)
    {
        RequireSameSize(other);
        var result = new byte[Data.Length];
        for (var i = 0; i < result.Length; i++) result[i] = op(Data[i], other.Data[i]);
        return new BinaryMask(Width, Height, result);
    }

    public void RequireSameSize(BinaryMask other)
    {
        if (other.Width != Width || other.Height != Height)
            throw new ArgumentException($"Mask sizes differ: {Width}x{Height} and {other.Width}x{other.Height}.");
    }

    public bool Equals(BinaryMask? other) =>
        other is not null && other.Width == Width && other.Height == Height && Data.AsSpan().SequenceEqual(other.Data);

    public override bool Equals(object? obj) => Equals(obj as BinaryMask);

    public override int GetHashCode() => HashCode.Combine(Width, Height, Area());
}
