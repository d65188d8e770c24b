namespace Segmentation.Masks;

/// <summary>Receives the inside/outside toggles of a polygon outline walk, in walk order.</summary>
internal interface IPolygonToggles
{
    /// <summary>A toggle at image pixel column <paramref name="column"/>, row <paramref name="row"/> (0..height).</summary>
    void Toggle(long column, int row);
}

/// <summary>
/// The geometry pycocotools <c>frPoly</c> rasterises COCO polygons with, shared by <see cref="CocoPolygon"/> and
/// <see cref="BoundedCocoPolygon"/>: vertices upsampled by 5, the outline walked in unit steps, and the column
/// crossings of the walk mapped back to image pixels as toggles (see <see cref="CocoPolygon"/> for the algorithm).
/// </summary>
internal static class CocoPolygonOutline
{
    public const double Scale = 5;

    /// <summary>A coordinate upsampled and rounded as pycocotools does (truncating toward zero, as C does).</summary>
    public static int Upsample(double value) => (int)(Scale * value + 0.5);

    /// <summary>An upsampled coordinate mapped back to image space.</summary>
    public static double BackToImage(long upsampled) => (upsampled + 0.5) / Scale - 0.5;

    /// <summary>The image row pycocotools gives an outline row: mapped back, clamped to 0..height, rounded up.</summary>
    public static int RowOf(int upsampledRow, int height)
    {
        var yd = BackToImage(upsampledRow);
        if (yd < 0) yd = 0;
        else if (yd > height) yd = height;
        return (int)Math.Ceiling(yd);
    }

    /// <summary>
    /// Walks the closed outline through the upsampled vertices <paramref name="x"/>, <paramref name="y"/> (the last
    /// equal to the first) one unit step at a time along each edge's longer axis, in edge order, and passes every
    /// column crossing that lands on an image pixel column to <paramref name="toggles"/>.
    /// </summary>
    public static void Walk<TToggles>(ReadOnlySpan<int> x, ReadOnlySpan<int> y, int height, int width, ref TToggles toggles)
        where TToggles : struct, IPolygonToggles
    {
        var hasPrevious = false;
        int previousU = 0, previousV = 0;
        for (var j = 0; j + 1 < x.Length; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            var dx = Math.Abs(xe - xs);
            var dy = Math.Abs(ys - ye);
            var alongX = dx >= dy;
            var flip = (alongX && xs > xe) || (!alongX && ys > ye);
            if (flip)
            {
                (xs, xe) = (xe, xs);
                (ys, ye) = (ye, ys);
            }
            var steps = alongX ? dx : dy;
            var s = alongX ? (dx == 0 ? 0.0 : (double)(ye - ys) / dx) : (double)(xe - xs) / dy;
            for (var d = 0; d <= steps; d++)
            {
                var t = flip ? steps - d : d;
                int u, v;
                if (alongX)
                {
                    u = t + xs;
                    v = (int)(ys + s * t + 0.5);
                }
                else
                {
                    v = t + ys;
                    u = (int)(xs + s * t + 0.5);
                }

                if (hasPrevious && u != previousU)
                {
                    var xd = BackToImage(u < previousU ? u : u - 1);
                    if (Math.Floor(xd) == xd && xd >= 0 && xd <= width - 1)
                        toggles.Toggle((long)xd, RowOf(Math.Min(v, previousV), height));
                }
                previousU = u;
                previousV = v;
                hasPrevious = true;
            }
        }
    }
}
