using Segmentation.Masks;

namespace Segmentation.Tests;

public class ConnectedComponentsTests
{
    [Fact]
    public void DiagonalNeighboursDependOnConnectivity()
    {
        var mask = RandomMasks.Parse(
            "#..",
            ".#.",
            "..#");
        var (labels8, components8) = ConnectedComponents.Label(mask, 8);
        Assert.Single(components8);
        Assert.Equal(new Component(1, 3, new PixelRect(0, 0, 3, 3)), components8[0]);
        Assert.Equal([1, 0, 0, 0, 1, 0, 0, 0, 1], labels8);

        var (labels4, components4) = ConnectedComponents.Label(mask, 4);
        Assert.Equal(3, components4.Count);
        Assert.Equal([1, 0, 0, 0, 2, 0, 0, 0, 3], labels4);
        Assert.All(components4, c => Assert.Equal(1, c.Area));
        Assert.Equal(new PixelRect(1, 1, 1, 1), components4[1].Bounds);
    }

    [Fact]
    public void UShapeMergesLabelsFromSeparateArms()
    {
        // The two arms get different provisional labels in the first row and meet at the bottom.
        var mask = RandomMasks.Parse(
            "#.#.#",
            "#.#.#",
            "###.#",
            "....#");
        foreach (var connectivity in new[] { 4, 8 })
        {
            var (labels, components) = ConnectedComponents.Label(mask, connectivity);
            Assert.Equal(2, components.Count);
            Assert.Equal(new Component(1, 7, new PixelRect(0, 0, 3, 3)), components[0]);
            Assert.Equal(new Component(2, 4, new PixelRect(4, 0, 1, 4)), components[1]);
            Assert.Equal(1, labels[2]);
            Assert.Equal(2, labels[4]);
            Assert.Equal(mask.Area(), labels.Count(l => l != 0));
        }
    }

    [Fact]
    public void StaircaseNeedsChainedMerges()
    {
        // Three provisional labels in row 0 are joined one after another by row 1 (a W shape).
        var mask = RandomMasks.Parse(
            "#.#.#",
            "#####");
        var (_, components) = ConnectedComponents.Label(mask, 4);
        Assert.Equal(new Component(1, 8, new PixelRect(0, 0, 5, 2)), Assert.Single(components));
    }

    [Fact]
    public void ComponentMaskExtractsOneLabel()
    {
        var mask = RandomMasks.Parse(
            "##..#",
            "....#");
        var (labels, _) = ConnectedComponents.Label(mask, 8);
        Assert.Equal(RandomMasks.Parse(
            "....#",
            "....#"), ConnectedComponents.ComponentMask(labels, 5, 2, 2));
    }

    [Fact]
    public void EmptyAndInvalid()
    {
        var (labels, components) = ConnectedComponents.Label(new BinaryMask(3, 2));
        Assert.Empty(components);
        Assert.All(labels, l => Assert.Equal(0, l));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConnectedComponents.Label(new BinaryMask(3, 2), 6));
    }

    [Fact]
    public void MatchesFloodFillOnRandomMasks()
    {
        foreach (var mask in RandomMasks.Many(seed: 31, perSize: 10))
        {
            foreach (var connectivity in new[] { 4, 8 })
            {
                var (expectedLabels, expectedComponents) = FloodFill(mask, connectivity);
                var (labels, components) = ConnectedComponents.Label(mask, connectivity);
                Assert.Equal(expectedLabels, labels);
                Assert.Equal(expectedComponents, components);
            }
        }
    }

    /// <summary>Breadth-first flood fill from seeds in raster order, so labels follow first appearance.</summary>
    private static (int[] Labels, List<Component> Components) FloodFill(BinaryMask mask, int connectivity)
    {
        int w = mask.Width, h = mask.Height;
        var labels = new int[w * h];
        var components = new List<Component>();
        var offsets = connectivity == 4
            ? new[] { (1, 0), (-1, 0), (0, 1), (0, -1) }
            : new[] { (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1) };
        for (var sy = 0; sy < h; sy++)
            for (var sx = 0; sx < w; sx++)
            {
                if (!mask[sx, sy] || labels[sy * w + sx] != 0) continue;
                var label = components.Count + 1;
                int area = 0, minX = sx, maxX = sx, minY = sy, maxY = sy;
                var queue = new Queue<(int X, int Y)>();
                labels[sy * w + sx] = label;
                queue.Enqueue((sx, sy));
                while (queue.Count > 0)
                {
                    var (x, y) = queue.Dequeue();
                    area++;
                    minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
                    minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
                    foreach (var (dx, dy) in offsets)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (!mask.Contains(nx, ny) || !mask[nx, ny] || labels[ny * w + nx] != 0) continue;
                        labels[ny * w + nx] = label;
                        queue.Enqueue((nx, ny));
                    }
                }
                components.Add(new Component(label, area, new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1)));
            }
        return (labels, components);
    }
}
