namespace Segmentation.Imaging;

/// <summary>An 8-bit RGB image, row-major, three interleaved bytes per pixel.</summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Image size {width}x{height} is not positive.");
        if (pixels.Length != checked(width * height * 3))
            throw new ArgumentException($"Image data has {pixels.Length} bytes, expected {width}x{height}x3.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            var i = (y * Width + x) * 3;
            return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
    }
}
