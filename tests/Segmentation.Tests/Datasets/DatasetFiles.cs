using Segmentation.Imaging;
using Segmentation.Masks;
using SkiaSharp;

namespace Segmentation.Tests.Datasets;

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"dataset-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Creates (if needed) and returns a sub-folder.</summary>
    public string Folder(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Leave it to the system's temp cleanup.
        }
    }
}

/// <summary>Writes small image and mask files for dataset tests.</summary>
internal static class DatasetFiles
{
    public static void RgbPng(string path, int width, int height, int seed = 1)
    {
        var pixels = new byte[width * height * 3];
        new Random(seed).NextBytes(pixels);
        File.WriteAllBytes(path, ImageCodec.EncodeImagePng(new RgbImage(width, height, pixels)));
    }

    /// <summary>A single-channel (greyscale) JPEG with a horizontal ramp.</summary>
    public static void GreyJpeg(string path, int width, int height) =>
        File.WriteAllBytes(path, EncodeGrey(width, height, (x, _) => (byte)(x * 255 / Math.Max(1, width - 1)), SKEncodedImageFormat.Jpeg));

    /// <summary>An 8-bit greyscale PNG with arbitrary values (e.g. 0 / 128 / 255 for a mask with an ignore band).</summary>
    public static void GreyPng(string path, int width, int height, Func<int, int, byte> value) =>
        File.WriteAllBytes(path, EncodeGrey(width, height, value, SKEncodedImageFormat.Png));

    /// <summary>Number of colour components in a JPEG's frame header (1 for greyscale), or -1 if none is found.</summary>
    public static int JpegComponents(string path)
    {
        var bytes = File.ReadAllBytes(path);
        for (var i = 2; i + 9 < bytes.Length; i++)
            if (bytes[i] == 0xFF && bytes[i + 1] is 0xC0 or 0xC1 or 0xC2)
                return bytes[i + 9]; // marker, length (2), precision (1), height (2), width (2), components
        return -1;
    }

    public static void Mask(string path, BinaryMask mask) => ImageCodec.WriteMaskPng(mask, path);

    /// <summary>A mask with the box [x0, x1) x [y0, y1) set.</summary>
    public static BinaryMask Box(int width, int height, int x0, int y0, int x1, int y1) =>
        BinaryMask.FromPredicate(width, height, (x, y) => x >= x0 && x < x1 && y >= y0 && y < y1);

    private static byte[] EncodeGrey(int width, int height, Func<int, int, byte> value, SKEncodedImageFormat format)
    {
        var info = new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var pixels = bitmap.GetPixelSpan();
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                pixels[y * bitmap.RowBytes + x] = value(x, y);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 95);
        return data.ToArray();
    }
}
