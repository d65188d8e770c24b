namespace Segmentation.Masks;

/// <summary>An integer pixel rectangle: columns X..X+Width-1, rows Y..Y+Height-1.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;
    public BoxF ToBox() => new(X, Y, X + Width, Y + Height);
}

/// <summary>
/// A box in continuous image coordinates: pixel (i, j) covers [i, i+1) x [j, j+1),
/// so the tight box of a mask is (minX, minY, maxX+1, maxY+1).
/// </summary>
public readonly record struct BoxF(double X0, double Y0, double X1, double Y1)
{
    public double Width => X1 - X0;
    public double Height => Y1 - Y0;
    public double Area => Math.Max(0, Width) * Math.Max(0, Height);
    public double CenterX => (X0 + X1) / 2;
    public double CenterY => (Y0 + Y1) / 2;
    public double LongerSide => Math.Max(Width, Height);

    public double IoU(BoxF other)
    {
        var iw = Math.Min(X1, other.X1) - Math.Max(X0, other.X0);
        var ih = Math.Min(Y1, other.Y1) - Math.Max(Y0, other.Y0);
        if (iw <= 0 || ih <= 0) return 0;
        var inter = iw * ih;
        return inter / (Area + other.Area - inter);
    }

    public BoxF ClampTo(int width, int height) =>
        new(Math.Clamp(X0, 0, width), Math.Clamp(Y0, 0, height), Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height));

    public BoxF Normalized() => new(Math.Min(X0, X1), Math.Min(Y0, Y1), Math.Max(X0, X1), Math.Max(Y0, Y1));

    public BoxF Expand(double factor, double minSide = 0)
    {
        var w = Math.Max(Width * factor, minSide);
        var h = Math.Max(Height * factor, minSide);
        return new(CenterX - w / 2, CenterY - h / 2, CenterX + w / 2, CenterY + h / 2);
    }
}

public enum ClickLabel
{
    Background = 0,
    Foreground = 1,
}

/// <summary>
/// An annotator's click in continuous image coordinates (a click at the centre of pixel (i, j) is (i+0.5, j+0.5)).
/// </summary>
public readonly record struct Click(double X, double Y, ClickLabel Label)
{
    public bool IsForeground => Label == ClickLabel.Foreground;
    public int PixelX => (int)Math.Floor(X);
    public int PixelY => (int)Math.Floor(Y);

    public static Click AtPixel(int x, int y, ClickLabel label) => new(x + 0.5, y + 0.5, label);
}
