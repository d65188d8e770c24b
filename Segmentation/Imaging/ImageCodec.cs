using Segmentation.Masks;
using SkiaSharp;

namespace Segmentation.Imaging;

/// <summary>Reads and writes images and masks through SkiaSharp (JPEG, PNG, BMP, WebP, GIF).</summary>
public static class ImageCodec
{
    public static RgbImage ReadImage(string path)
    {
        using var stream = OpenForRead(path);
        return DecodeImage(stream, path);
    }

    public static RgbImage DecodeImage(Stream stream, string nameForErrors = "image")
    {
        using var bitmap = DecodeRgba(stream, nameForErrors);
        var width = bitmap.Width;
        var height = bitmap.Height;
        var rgba = bitmap.GetPixelSpan();
        var rgb = new byte[width * height * 3];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = rgba[i];
            rgb[j + 1] = rgba[i + 1];
            rgb[j + 2] = rgba[i + 2];
        }
        return new RgbImage(width, height, rgb);
    }

    /// <summary>
    /// Reads a mask file as one byte per pixel: the grey level of greyscale files, the largest colour
    /// channel of colour or palette files (palette entry 0 is black in the usual label maps).
    /// </summary>
    public static (int Width, int Height, byte[] Values) ReadMaskValues(string path)
    {
        using var stream = OpenForRead(path);
        using var bitmap = DecodeRgba(stream, path);
        var rgba = bitmap.GetPixelSpan();
        var values = new byte[bitmap.Width * bitmap.Height];
        for (int i = 0, j = 0; j < values.Length; i += 4, j++)
            values[j] = Math.Max(rgba[i], Math.Max(rgba[i + 1], rgba[i + 2]));
        return (bitmap.Width, bitmap.Height, values);
    }

    /// <summary>Reads a mask file; every non-zero pixel is the object.</summary>
    public static BinaryMask ReadMask(string path)
    {
        var (width, height, values) = ReadMaskValues(path);
        var data = new byte[values.Length];
        for (var i = 0; i < data.Length; i++) data[i] = values[i] != 0 ? (byte)1 : (byte)0;
        return new BinaryMask(width, height, data);
    }

    /// <summary>Encodes a mask as an 8-bit greyscale PNG with 0 for background and 255 for the object.</summary>
    public static byte[] EncodeMaskPng(BinaryMask mask)
    {
        var info = new SKImageInfo(mask.Width, mask.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var pixels = bitmap.GetPixelSpan();
        for (var i = 0; i < mask.Data.Length; i++) pixels[i] = mask.Data[i] != 0 ? (byte)255 : (byte)0;
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public static void WriteMaskPng(BinaryMask mask, string path) => File.WriteAllBytes(path, EncodeMaskPng(mask));

    public static byte[] EncodeImagePng(RgbImage image)
    {
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var pixels = bitmap.GetPixelSpan();
        for (int i = 0, j = 0; j < image.Pixels.Length; i += 4, j += 3)
        {
            pixels[i] = image.Pixels[j];
            pixels[i + 1] = image.Pixels[j + 1];
            pixels[i + 2] = image.Pixels[j + 2];
            pixels[i + 3] = 255;
        }
        using var skImage = SKImage.FromBitmap(bitmap);
        using var data = skImage.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static FileStream OpenForRead(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file not found: {path}", path);
        return File.OpenRead(path);
    }

    private static SKBitmap DecodeRgba(Stream stream, string nameForErrors)
    {
        using var managed = new SKManagedStream(stream);
        using var codec = SKCodec.Create(managed)
            ?? throw new InvalidDataException($"{nameForErrors}: not a readable image (JPEG, PNG, BMP, WebP or GIF expected).");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            bitmap.Dispose();
            throw new InvalidDataException($"{nameForErrors}: image could not be decoded ({result}).");
        }
        return bitmap;
    }
}
