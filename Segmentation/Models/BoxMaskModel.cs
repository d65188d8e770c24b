using Segmentation.Imaging;
using Segmentation.Masks;

namespace Segmentation.Models;

/// <summary>
/// The paper's baseline: the mask is the filled box, whatever the image and the clicks. Instant and deterministic, for
/// scale and smoke tests and for measuring what a segmentation model adds over the box alone.
/// </summary>
public sealed class BoxMaskModel : ISegmentationModel
{
    public const string ModelName = "box";

    public string Name => ModelName;

    public IPreparedImage Prepare(RgbImage image) => new Prepared(image);

    public MaskPrediction Predict(IPreparedImage image, SegmentationPrompt prompt)
    {
        var box = prompt.Box ?? throw new ArgumentException("The box model needs a box.", nameof(prompt));
        var counts = Counts(box, image.Image.Width, image.Image.Height);
        return new MaskPrediction(CocoRle.DecodeCounts(counts, image.Image.Height, image.Image.Width), null, new ModelCallTiming(0, 0, 0, DecoderRuns: 0));
    }

    /// <summary>The filled box on a width x height image as COCO RLE, built from runs without a pixel raster (so it is cheap for any image size).</summary>
    public static RleMask Mask(BoxF box, int width, int height) => RleMask.FromCounts(Counts(box, width, height), height, width);

    /// <summary>
    /// Column-major run lengths (COCO order) of the pixels whose centres lie inside the box: columns
    /// ceil(x0 - 0.5) .. ceil(x1 - 0.5) - 1 and rows likewise, clipped to the image.
    /// </summary>
    public static uint[] Counts(BoxF box, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var c0 = Edge(box.X0, width);
        var c1 = Edge(box.X1, width);
        var r0 = Edge(box.Y0, height);
        var r1 = Edge(box.Y1, height);
        var total = (long)width * height;
        if (c1 <= c0 || r1 <= r0) return [(uint)total];

        var columns = c1 - c0;
        var counts = new uint[2 * columns + 1];
        counts[0] = (uint)((long)c0 * height + r0);
        for (var i = 0; i < columns; i++)
        {
            counts[2 * i + 1] = (uint)(r1 - r0);
            counts[2 * i + 2] = (uint)(height - r1 + r0);
        }
        counts[^1] = (uint)(height - r1 + (long)(width - c1) * height);
        return counts;
    }

    static int Edge(double value, int size) =>
        double.IsFinite(value) ? (int)Math.Clamp(Math.Ceiling(value - 0.5), 0, size) : throw new ArgumentException($"Box edge {value} is not a number.");

    public void Dispose()
    {
    }

    sealed class Prepared(RgbImage image) : IPreparedImage
    {
        public RgbImage Image { get; } = image;

        public void Dispose()
        {
        }
    }
}
