using SkiaSharp;

namespace Segmentation.Evaluation.Datasets;

/// <summary>Reads an image's size from its header without decoding the pixels.</summary>
internal static class ImageHeader
{
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an image SkiaSharp can read.</exception>
    public static (int Width, int Height) ReadSize(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file not found: {path}", path);
        using var stream = File.OpenRead(path);
        using var managed = new SKManagedStream(stream);
        using var codec = SKCodec.Create(managed)
            ?? throw new InvalidDataException($"{path}: not a readable image (JPEG, PNG, BMP, WebP or GIF expected).");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            throw new InvalidDataException($"{path}: image size {info.Width}x{info.Height} is not positive.");
        return (info.Width, info.Height);
    }
}
