using Grains.Interfaces;
using Segmentation.Masks;

namespace Grains;

/// <summary>Conversions between the wire form of masks and clicks and the segmentation kernel's types.</summary>
public static class MaskRleConversions
{
    public static MaskRle ToWire(this RleMask mask) => new(mask.Height, mask.Width, mask.Counts);

    public static MaskRle ToWire(this BinaryMask mask) => RleMask.FromMask(mask).ToWire();

    public static Click ToKernel(this SubmittedClick click) =>
        new(click.X, click.Y, click.Label == ClickPolarity.Foreground ? ClickLabel.Foreground : ClickLabel.Background);

    public static RleMask ToKernel(this MaskRle mask) => new(mask.Height, mask.Width, mask.Counts);

    public static Click ToKernel(this ClickRecord click) =>
        new(click.X, click.Y, click.Label == ClickPolarity.Foreground ? ClickLabel.Foreground : ClickLabel.Background);

    public static BoxF ToKernel(this BoxD box) => new(box.X0, box.Y0, box.X1, box.Y1);

    /// <summary>Null when <paramref name="mask"/> is a well-formed compressed RLE of exactly height x width pixels, else the reason.</summary>
    public static string? Problem(MaskRle mask, int height, int width)
    {
        if (mask.Height != height || mask.Width != width)
            return $"Mask is {mask.Height}x{mask.Width} (h x w); the image is {height}x{width}.";
        if (string.IsNullOrEmpty(mask.Counts))
            return "Mask counts are empty.";
        try
        {
            long sum = 0;
            foreach (var c in mask.ToKernel().ToCounts()) sum += c;
            return sum == (long)height * width ? null : $"RLE counts cover {sum} pixels, expected {(long)height * width}.";
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }
}
