namespace Segmentation.Masks;

/// <summary>
/// Rasterises COCO polygon segmentations (<c>[[x1, y1, x2, y2, ...], ...]</c> in continuous pixel
/// coordinates, pixel (i, j) covering [i, i+1) x [j, j+1)) the way pycocotools <c>frPoly</c> does, so
/// masks and areas agree with the reference evaluation.
/// </summary>
/// <remarks>
/// <para>The algorithm, per polygon:</para>
/// <list type="number">
/// <item>Scale the vertices by 5 and round each to an integer (<c>(int)(5v + 0.5)</c>, truncating toward zero
/// as C does), closing the ring.</item>
/// <item>Walk every edge one unit step at a time along its longer axis, producing a dense chain of integer
/// points (the shorter coordinate rounded the same way).</item>
/// <item>Wherever the chain moves to a new upsampled column, map that column back to image space; only
/// columns landing exactly on an image pixel centre column inside the image are kept, and the row at
/// that crossing is mapped back and rounded up (clamped to 0..h). Each kept point toggles the inside
/// state at column-major index <c>x*h + y</c>.</item>
/// <item>Sort the toggle positions, take differences to get run lengths (pairs of toggles at the same
/// position cancel) and close with <c>h*w</c>.</item>
/// </list>
/// <para>
/// Several polygons of one annotation are combined by union, as <c>COCO.annToRLE</c> does with
/// <c>maskUtils.merge</c>. Deviations from pycocotools: a coordinate list of odd length is rejected
/// (pycocotools silently drops the last number); a degenerate zero-length edge is walked as a single
/// point without the 0/0 the C code computes (whose result it never uses); lists with fewer than three
/// vertices give whatever the same edge walk gives (usually an empty mask).
/// </para>
/// </remarks>
public static class CocoPolygon
{
    /// <summary>Run lengths (column-major, starting with zeros) of one polygon, as pycocotools <c>frPoly</c> computes them.</summary>
    public static uint[] PolygonCounts(IReadOnlyList<double> xy, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(xy);
        if (height < 0 || width < 0)
            throw new ArgumentOutOfRangeException(nameof(height), $"Mask size {height}x{width} (h x w) is negative.");
        if (xy.Count % 2 != 0)
            throw new ArgumentException($"A polygon needs an even number of coordinates, got {xy.Count}.", nameof(xy));
        for (var i = 0; i < xy.Count; i++)
            if (!double.IsFinite(xy[i]))
                throw new ArgumentException($"Polygon coordinate {i} is not finite ({xy[i]}).", nameof(xy));

        var total = (long)height * width;
        if (total > uint.MaxValue)
            throw new ArgumentException($"Mask {height}x{width} is too large for COCO RLE.");
        var k = xy.Count / 2;
        if (k == 0) return [(uint)total];

        // 1. Upsampled integer vertices, closed.
        var x = new int[k + 1];
        var y = new int[k + 1];
        for (var j = 0; j < k; j++)
        {
            x[j] = CocoPolygonOutline.Upsample(xy[2 * j]);
            y[j] = CocoPolygonOutline.Upsample(xy[2 * j + 1]);
        }
        x[k] = x[0];
        y[k] = y[0];

        // 2 and 3. The boundary walk's column crossings mapped back to image pixels.
        var toggles = new List<uint>();
        var positions = new TogglePositions(toggles, height);
        CocoPolygonOutline.Walk(x, y, height, width, ref positions);

        // 4. Sorted toggle positions to run lengths.
        toggles.Add((uint)total);
        toggles.Sort();
        var counts = new List<uint>(toggles.Count);
        uint previous = 0;
        for (var j = 0; j < toggles.Count; j++)
        {
            var position = toggles[j];
            toggles[j] = position - previous;
            previous = position;
        }
        var next = 0;
        counts.Add(toggles[next++]);
        while (next < toggles.Count)
        {
            if (toggles[next] > 0)
            {
                counts.Add(toggles[next++]);
            }
            else
            {
                next++;
                if (next < toggles.Count) counts[^1] += toggles[next++];
            }
        }
        return counts.ToArray();
    }

    /// <summary>One polygon as a mask.</summary>
    public static BinaryMask Rasterize(IReadOnlyList<double> xy, int height, int width) =>
        CocoRle.DecodeCounts(PolygonCounts(xy, height, width), height, width);

    /// <summary>The union of several polygons (one COCO polygon segmentation) as a mask.</summary>
    public static BinaryMask Rasterize(IEnumerable<IReadOnlyList<double>> polygons, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        var result = new BinaryMask(width, height);
        foreach (var polygon in polygons)
        {
            var part = Rasterize(polygon, height, width);
            var src = part.Data;
            var dst = result.Data;
            for (var i = 0; i < dst.Length; i++) dst[i] |= src[i];
        }
        return result;
    }

    /// <summary>
    /// A COCO box <c>[x, y, width, height]</c> as a mask, the way pycocotools <c>frBbox</c> does it
    /// (through the polygon of its four corners).
    /// </summary>
    public static BinaryMask RasterizeBox(double x, double y, double boxWidth, double boxHeight, int height, int width) =>
        Rasterize([x, y, x, y + boxHeight, x + boxWidth, y + boxHeight, x + boxWidth, y], height, width);

    /// <summary>Collects the toggles as column-major pixel positions.</summary>
    private readonly struct TogglePositions(List<uint> positions, int height) : IPolygonToggles
    {
        public void Toggle(long column, int row) => positions.Add((uint)(column * height + row));
    }
}
