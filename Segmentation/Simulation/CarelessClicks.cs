using Segmentation.Masks;

namespace Segmentation.Simulation;

/// <summary>
/// A careless annotator: each click on a random pixel of the box rather than in an error region, with the polarity the
/// mask on screen suggests there (background where the mask covers the pixel, foreground where it does not).
/// </summary>
public static class CarelessClicks
{
    public static IReadOnlyList<Click> Draw(BoxF box, BinaryMask shown, int count, Random rng)
    {
        ArgumentNullException.ThrowIfNull(shown);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var clamped = box.Normalized().ClampTo(shown.Width, shown.Height);
        int x0 = (int)Math.Floor(clamped.X0), y0 = (int)Math.Floor(clamped.Y0);
        int x1 = Math.Max(x0 + 1, (int)Math.Ceiling(clamped.X1)), y1 = Math.Max(y0 + 1, (int)Math.Ceiling(clamped.Y1));
        x1 = Math.Min(x1, shown.Width);
        y1 = Math.Min(y1, shown.Height);
        if (x0 >= x1 || y0 >= y1)
            throw new ArgumentException($"The box {box} has no pixel inside the {shown.Width}x{shown.Height} image.", nameof(box));
        var clicks = new Click[count];
        for (var i = 0; i < count; i++)
        {
            int x = rng.Next(x0, x1), y = rng.Next(y0, y1);
            clicks[i] = Click.AtPixel(x, y, shown[x, y] ? ClickLabel.Background : ClickLabel.Foreground);
        }
        return clicks;
    }
}
