namespace Segmentation.Masks;

/// <summary>One connected region of a mask.</summary>
public sealed record Component(int Label, int Area, PixelRect Bounds);

/// <summary>Connected-component labelling (two-pass with union-find).</summary>
public static class ConnectedComponents
{
    /// <summary>
    /// Labels the set pixels of <paramref name="mask"/>: labels are 1..N in raster order of first
    /// appearance, 0 is background. Connectivity is 4 or 8.
    /// </summary>
    public static (int[] Labels, IReadOnlyList<Component> Components) Label(BinaryMask mask, int connectivity = 8)
    {
        if (connectivity is not (4 or 8))
            throw new ArgumentOutOfRangeException(nameof(connectivity), "Connectivity must be 4 or 8.");
        int width = mask.Width, height = mask.Height;
        var labels = new int[width * height];
        var parent = new List<int> { 0 };

        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = y * width + x;
                if (mask.Data[i] == 0) continue;
                var best = 0;
                void Consider(int neighbour)
                {
                    if (neighbour == 0) return;
                    if (best == 0) best = neighbour;
                    else Union(parent, best, neighbour);
                }
                if (x > 0) Consider(labels[i - 1]);
                if (y > 0)
                {
                    Consider(labels[i - width]);
                    if (connectivity == 8)
                    {
                        if (x > 0) Consider(labels[i - width - 1]);
                        if (x < width - 1) Consider(labels[i - width + 1]);
                    }
                }
                if (best == 0)
                {
                    best = parent.Count;
                    parent.Add(best);
                }
                labels[i] = best;
            }
        }

        var remap = new int[parent.Count];
        var next = 0;
        var areas = new List<int> { 0 };
        var minX = new List<int> { 0 }; var minY = new List<int> { 0 };
        var maxX = new List<int> { 0 }; var maxY = new List<int> { 0 };
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = y * width + x;
                if (labels[i] == 0) continue;
                var root = Find(parent, labels[i]);
                if (remap[root] == 0)
                {
                    remap[root] = ++next;
                    areas.Add(0); minX.Add(x); minY.Add(y); maxX.Add(x); maxY.Add(y);
                }
                var l = remap[root];
                labels[i] = l;
                areas[l]++;
                if (x < minX[l]) minX[l] = x;
                if (x > maxX[l]) maxX[l] = x;
                if (y > maxY[l]) maxY[l] = y;
            }
        }

        var components = new Component[next];
        for (var l = 1; l <= next; l++)
            components[l - 1] = new Component(l, areas[l], new PixelRect(minX[l], minY[l], maxX[l] - minX[l] + 1, maxY[l] - minY[l] + 1));
        return (labels, components);
    }

    /// <summary>The mask of one labelled component.</summary>
    public static BinaryMask ComponentMask(int[] labels, int width, int height, int label)
    {
        var data = new byte[width * height];
        for (var i = 0; i < data.Length; i++) if (labels[i] == label) data[i] = 1;
        return new BinaryMask(width, height, data);
    }

    private static int Find(List<int> parent, int a)
    {
        while (parent[a] != a)
        {
            parent[a] = parent[parent[a]];
            a = parent[a];
        }
        return a;
    }

    private static void Union(List<int> parent, int a, int b)
    {
        a = Find(parent, a);
        b = Find(parent, b);
        if (a == b) return;
        if (a < b) parent[b] = a; else parent[a] = b;
    }
}
