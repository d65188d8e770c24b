namespace Segmentation.Masks;

public static class Raster
{
    /// <summary>Sets every pixel whose centre lies within <paramref name="radius"/> of (cx, cy), in continuous coordinates.</summary>
    public static void FillDisk(BinaryMask mask, double cx, double cy, double radius)
    {
        var r2 = radius * radius;
        var y0 = Math.Max(0, (int)Math.Floor(cy - radius - 0.5));
        var y1 = Math.Min(mask.Height - 1, (int)Math.Ceiling(cy + radius - 0.5));
        var x0 = Math.Max(0, (int)Math.Floor(cx - radius - 0.5));
        var x1 = Math.Min(mask.Width - 1, (int)Math.Ceiling(cx + radius - 0.5));
        for (var y = y0; y <= y1; y++)
        {
            var dy = y + 0.5 - cy;
            for (var x = x0; x <= x1; x++)
            {
                var dx = x + 0.5 - cx;
                if (dx * dx + dy * dy <= r2) mask.Data[y * mask.Width + x] = 1;
            }
        }
    }

    public static BinaryMask Disk(int width, int height, double cx, double cy, double radius)
    {
        var mask = new BinaryMask(width, height);
        FillDisk(mask, cx, cy, radius);
        return mask;
    }

    /// <summary>Sets every pixel whose centre lies inside the box.</summary>
    public static BinaryMask FillBox(int width, int height, BoxF box)
    {
        var mask = new BinaryMask(width, height);
        var x0 = Math.Max(0, (int)Math.Ceiling(box.X0 - 0.5));
        var x1 = Math.Min(width - 1, (int)Math.Floor(box.X1 - 0.5));
        var y0 = Math.Max(0, (int)Math.Ceiling(box.Y0 - 0.5));
        var y1 = Math.Min(height - 1, (int)Math.Floor(box.Y1 - 0.5));
        if (x1 < x0) return mask; // entirely left or right of the image: x0 may even be past the last column
        for (var y = y0; y <= y1; y++)
            Array.Fill(mask.Data, (byte)1, y * width + x0, x1 - x0 + 1);
        return mask;
    }
}
