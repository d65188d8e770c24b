using Segmentation.Imaging;
using System.Diagnostics;
using Segmentation.Masks;
using Segmentation.Simulation;
using Xunit.Abstractions;

namespace Segmentation.Tests.Simulation;

public class ClickSimulatorTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ClickStrategy.Center)]
    [InlineData(ClickStrategy.Boundary)]
    public void ClicksLieInsideErrorRegionsOfTheirKind(ClickStrategy strategy)
    {
        var sim = new ClickSimulator(new ClickSimulatorOptions(Strategy: strategy, MinRegionThicknessPx: 0));
        var rng = new Random(10);
        int totalClicks = 0, foreground = 0, background = 0;
        for (var trial = 0; trial < 150; trial++)
        {
            int width = rng.Next(60, 200), height = rng.Next(60, 160);
            var gt = SimulationTestData.RandomBlob(rng, width, height);
            var pred = SimulationTestData.Perturb(gt, rng);
            BinaryMask? ignore = rng.Next(4) == 0
                ? Raster.Disk(width, height, rng.NextDouble() * width, rng.NextDouble() * height, 20)
                : null;
            var k = rng.Next(1, 6);
            var clicks = sim.CorrectiveClicks(gt, pred, k, rng, ignore);
            Assert.True(clicks.Count <= k);

            var fn = gt.AndNot(pred);
            var fp = pred.AndNot(gt);
            if (ignore is not null)
            {
                fn = fn.AndNot(ignore);
                fp = fp.AndNot(ignore);
            }
            var anyLargeRegion = ConnectedComponents.Label(fn).Components.Any(c => c.Area >= 100)
                                 || ConnectedComponents.Label(fp).Components.Any(c => c.Area >= 100);
            Assert.Equal(anyLargeRegion, clicks.Count > 0);

            foreach (var click in clicks)
            {
                Assert.True(click.X >= 0 && click.Y >= 0 && click.X < width && click.Y < height, $"{click} outside the image");
                var errors = click.IsForeground ? fn : fp;
                var area = SimulationTestData.ComponentArea(errors, click.PixelX, click.PixelY);
                Assert.True(area >= 100, $"trial {trial}: {click} is not inside a large {(click.IsForeground ? "FN" : "FP")} region");
                if (click.IsForeground) foreground++; else background++;
            }
            totalClicks += clicks.Count;
        }
        Assert.True(totalClicks > 150, $"only {totalClicks} clicks");
        Assert.True(foreground > 20 && background > 20, $"{foreground} fg, {background} bg");
    }

    [Fact]
    public void NoiselessSingleClickIsAtTheDeepestPixelOfTheLargestRegion()
    {
        var sim = new ClickSimulator(new ClickSimulatorOptions(NoiseSigmaPx: 0, MinRegionThicknessPx: 0));
        var rng = new Random(16);
        var checkedCases = 0;
        for (var trial = 0; trial < 40; trial++)
        {
            var gt = SimulationTestData.RandomBlob(rng, 48, 40);
            var pred = SimulationTestData.Perturb(gt, rng);
            var clicks = sim.CorrectiveClicks(gt, pred, 1, rng);
            if (clicks.Count == 0) continue;
            var click = Assert.Single(clicks);
            var errors = click.IsForeground ? gt.AndNot(pred) : pred.AndNot(gt);
            var (labels, components) = ConnectedComponents.Label(errors);
            var label = labels[click.PixelY * errors.Width + click.PixelX];
            Assert.Equal(components.Max(c => c.Area), components[label - 1].Area);
            var region = ConnectedComponents.ComponentMask(labels, errors.Width, errors.Height, label);
            long deepest = 0;
            for (var y = 0; y < region.Height; y++)
                for (var x = 0; x < region.Width; x++)
                    deepest = Math.Max(deepest, SimulationTestData.DepthSquared(region, x, y));
            Assert.Equal(deepest, SimulationTestData.DepthSquared(region, click.PixelX, click.PixelY));
            checkedCases++;
        }
        Assert.True(checkedCases > 10, $"only {checkedCases} cases had an error region");
    }

    [Fact]
    public void ThinSliversAlongTheBoundaryGetNoClickButThickRegionsDo()
    {
        // Ground truth 40x40 square; the prediction misses a 3 px wide, 60 px long strip (area 180) beside it.
        var gt = new BinaryMask(120, 100);
        for (var y = 20; y < 80; y++)
            for (var x = 20; x < 63; x++)
                gt[x, y] = true;
        var sliverOnly = gt.Clone();
        for (var y = 20; y < 80; y++)
            for (var x = 60; x < 63; x++)
                sliverOnly[x, y] = false;

        var byDefault = new ClickSimulator(new ClickSimulatorOptions(NoiseSigmaPx: 0));
        Assert.Empty(byDefault.CorrectiveClicks(gt, sliverOnly, 3, new Random(1)));
        var areaOnly = new ClickSimulator(new ClickSimulatorOptions(NoiseSigmaPx: 0, MinRegionThicknessPx: 0));
        var sliverClicks = areaOnly.CorrectiveClicks(gt, sliverOnly, 3, new Random(1));
        Assert.NotEmpty(sliverClicks);
        Assert.All(sliverClicks, c => Assert.InRange(c.PixelX, 60, 62));

        // A 12x12 hole is thick enough.
        var withHole = gt.Clone();
        for (var y = 40; y < 52; y++)
            for (var x = 30; x < 42; x++)
                withHole[x, y] = false;
        var holeClick = Assert.Single(byDefault.CorrectiveClicks(gt, withHole, 1, new Random(1)));
        Assert.True(holeClick.IsForeground && holeClick.PixelX is >= 30 and < 42 && holeClick.PixelY is >= 40 and < 52, $"{holeClick}");
    }

    [Fact]
    public void SameSeedGivesSameClicks()
    {
        var rng = new Random(11);
        var gt = SimulationTestData.RandomBlob(rng, 160, 120);
        var pred = SimulationTestData.Perturb(gt, rng);
        var sim = new ClickSimulator(new ClickSimulatorOptions(MinRegionThicknessPx: 0));
        var a = sim.CorrectiveClicks(gt, pred, 5, new Random(99));
        var b = sim.CorrectiveClicks(gt, pred, 5, new Random(99));
        Assert.NotEmpty(a);
        Assert.Equal(a, b);
        var c = sim.CorrectiveClicks(gt, pred, 5, new Random(100));
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ClickNoiseHasRequestedSigma()
    {
        var gt = Raster.Disk(200, 200, 100.5, 100.5, 60);
        var empty = new BinaryMask(200, 200);
        var exact = Assert.Single(new ClickSimulator(new ClickSimulatorOptions(NoiseSigmaPx: 0)).CorrectiveClicks(gt, empty, 1, new Random(1)));
        Assert.Equal(Click.AtPixel(100, 100, ClickLabel.Foreground), exact);

        var sim = new ClickSimulator();
        var rng = new Random(12);
        var dx = new List<double>();
        var dy = new List<double>();
        for (var i = 0; i < 2500; i++)
        {
            var click = Assert.Single(sim.CorrectiveClicks(gt, empty, 1, rng));
            dx.Add(click.X - exact.X);
            dy.Add(click.Y - exact.Y);
        }
        Assert.InRange(SimulationTestData.StdDev(dx, out var mx), 2.85, 3.15);
        Assert.InRange(SimulationTestData.StdDev(dy, out var my), 2.85, 3.15);
        Assert.InRange(mx, -0.15, 0.15);
        Assert.InRange(my, -0.15, 0.15);
    }

    [Fact]
    public void NoisyClicksNeverLeaveASmallRegion()
    {
        // A 10x10 error square: sigma 3 noise often leaves it, so redraws and the fallback are exercised.
        var gt = Raster.FillBox(64, 64, new BoxF(20, 20, 30, 30));
        var sim = new ClickSimulator(new ClickSimulatorOptions(NoiseSigmaPx: 6));
        var rng = new Random(13);
        for (var i = 0; i < 500; i++)
        {
            var click = Assert.Single(sim.CorrectiveClicks(gt, new BinaryMask(64, 64), 1, rng));
            Assert.True(click.X >= 20 && click.X < 30 && click.Y >= 20 && click.Y < 30, click.ToString());
        }
    }

    [Fact]
    public void SmallRegionsAreIgnoredAndPerfectMaskGivesNoClicks()
    {
        var sim = new ClickSimulator();
        var gt = Raster.Disk(120, 100, 60, 50, 30);
        Assert.Empty(sim.CorrectiveClicks(gt, gt.Clone(), 5, new Random(1)));

        // A 9x11 hole (99 px) and a 9x11 extra patch are below the 100 px minimum.
        var pred = gt.Clone();
        SetRect(pred, 55, 45, 9, 11, false);
        SetRect(pred, 2, 2, 9, 11, true);
        Assert.Empty(sim.CorrectiveClicks(gt, pred, 5, new Random(1)));

        // Reshaping the patch to 10x10 (100 px) makes it count: all 5 clicks are background clicks inside it.
        SetRect(pred, 2, 2, 9, 11, false);
        SetRect(pred, 2, 2, 10, 10, true);
        var clicks = sim.CorrectiveClicks(gt, pred, 5, new Random(1));
        Assert.Equal(5, clicks.Count);
        foreach (var click in clicks)
        {
            Assert.Equal(ClickLabel.Background, click.Label);
            Assert.InRange(click.X, 2, 12);
            Assert.InRange(click.Y, 2, 12);
        }

        // A smaller threshold brings the hole back.
        var lenient = new ClickSimulator(new ClickSimulatorOptions(MinRegionArea: 50));
        var both = lenient.CorrectiveClicks(gt, pred, 2, new Random(1));
        Assert.Equal([ClickLabel.Background, ClickLabel.Foreground], both.Select(c => c.Label));
    }

    private static void SetRect(BinaryMask mask, int x0, int y0, int width, int height, bool value)
    {
        for (var y = y0; y < y0 + height; y++)
            for (var x = x0; x < x0 + width; x++) mask[x, y] = value;
    }

    [Fact]
    public void IgnoredPixelsAreNotErrors()
    {
        var gt = Raster.Disk(120, 100, 60, 50, 30);
        var ignore = Raster.Disk(120, 100, 60, 50, 32);
        var sim = new ClickSimulator();
        Assert.Empty(sim.CorrectiveClicks(gt, new BinaryMask(120, 100), 3, new Random(1), ignore));
        Assert.Null(ClickSimulator.LargestErrorClick(gt, new BinaryMask(120, 100), ignore));
    }

    [Fact]
    public void MaxClicksGoToTheLargestRegionsFirst()
    {
        var gt = new BinaryMask(200, 100);
        var pred = new BinaryMask(200, 100);
        var big = Raster.FillBox(200, 100, new BoxF(10, 10, 60, 60));     // FN, 2500 px
        var medium = Raster.FillBox(200, 100, new BoxF(80, 10, 110, 40)); // FP, 900 px
        var small = Raster.FillBox(200, 100, new BoxF(150, 10, 165, 25)); // FN, 225 px
        gt = gt.Or(big).Or(small);
        pred = pred.Or(medium);
        var sim = new ClickSimulator(new ClickSimulatorOptions(NoiseSigmaPx: 0));

        var one = Assert.Single(sim.CorrectiveClicks(gt, pred, 1, new Random(1)));
        Assert.True(big[one.PixelX, one.PixelY]);

        var two = sim.CorrectiveClicks(gt, pred, 2, new Random(1));
        Assert.Equal(2, two.Count);
        Assert.True(big[two[0].PixelX, two[0].PixelY] && two[0].IsForeground);
        Assert.True(medium[two[1].PixelX, two[1].PixelY] && !two[1].IsForeground);

        // 10 clicks: one each, then 7 extra shared as 7*2500/3625=4.83, 1.74, 0.43 -> 4, 1, 0 plus leftover 2
        // to the largest remainders (0.83, 0.74) -> 6, 3, 1 clicks.
        var ten = sim.CorrectiveClicks(gt, pred, 10, new Random(1));
        Assert.Equal(10, ten.Count);
        Assert.Equal(6, ten.Count(c => big[c.PixelX, c.PixelY]));
        Assert.Equal(3, ten.Count(c => medium[c.PixelX, c.PixelY]));
        Assert.Equal(1, ten.Count(c => small[c.PixelX, c.PixelY]));
    }

    [Fact]
    public void AllocationFollowsLargestRemainder()
    {
        Assert.Equal([1, 1, 0], ClickSimulator.AllocateClicks([500, 300, 200], 2));
        Assert.Equal([1, 1, 1], ClickSimulator.AllocateClicks([500, 300, 200], 3));
        Assert.Equal([2, 2, 1], ClickSimulator.AllocateClicks([500, 300, 200], 5)); // extra 2: 1.0, 0.6, 0.4
        Assert.Equal([6, 4, 3], ClickSimulator.AllocateClicks([500, 300, 200], 13));
        Assert.Equal([3], ClickSimulator.AllocateClicks([3], 10)); // never more clicks than pixels
        Assert.Empty(ClickSimulator.AllocateClicks([], 4));
        Assert.Equal([0, 0], ClickSimulator.AllocateClicks([10, 5], 0));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    public void ClicksInOneBigRegionAreSpreadOut(int k)
    {
        var gt = Raster.Disk(240, 200, 120, 100, 80);
        var sim = new ClickSimulator(new ClickSimulatorOptions(NoiseSigmaPx: 0));
        var clicks = sim.CorrectiveClicks(gt, new BinaryMask(240, 200), k, new Random(1));
        Assert.Equal(k, clicks.Count);
        Assert.All(clicks, c => Assert.True(c.IsForeground && gt[c.PixelX, c.PixelY]));
        // k points packed into a disk of radius 80 with one per equal-area part: far apart from each other.
        var minDistance = double.MaxValue;
        for (var i = 0; i < k; i++)
            for (var j = i + 1; j < k; j++)
                minDistance = Math.Min(minDistance, Math.Sqrt(Math.Pow(clicks[i].X - clicks[j].X, 2) + Math.Pow(clicks[i].Y - clicks[j].Y, 2)));
        Assert.True(minDistance > 35, $"closest pair {minDistance:F1} px apart for k={k}");
    }

    [Fact]
    public void ElongatedRegionIsSplitAlongItsLength()
    {
        var gt = Raster.FillBox(300, 60, new BoxF(10, 20, 290, 40)); // 280x20
        var sim = new ClickSimulator(new ClickSimulatorOptions(NoiseSigmaPx: 0));
        var clicks = sim.CorrectiveClicks(gt, new BinaryMask(300, 60), 4, new Random(1));
        var xs = clicks.Select(c => c.X).Order().ToArray();
        Assert.Equal(4, xs.Length);
        // Parts are 70 px long; their centres are near x = 45, 115, 185, 255.
        double[] expected = [45, 115, 185, 255];
        for (var i = 0; i < 4; i++) Assert.InRange(xs[i], expected[i] - 3, expected[i] + 3);
        Assert.All(clicks, c => Assert.InRange(c.Y, 29, 31));
    }

    [Fact]
    public void BoundaryStrategyClicksNextToTheObjectBoundary()
    {
        var gt = Raster.Disk(200, 200, 100, 100, 60);
        var pred = Raster.Disk(200, 200, 100, 100, 45); // FN ring 15 px wide
        var centre = new ClickSimulator(new ClickSimulatorOptions(NoiseSigmaPx: 0));
        var boundary = new ClickSimulator(new ClickSimulatorOptions(NoiseSigmaPx: 0, Strategy: ClickStrategy.Boundary));

        var c = Assert.Single(centre.CorrectiveClicks(gt, pred, 1, new Random(1)));
        var r = Math.Sqrt(Math.Pow(c.X - 100, 2) + Math.Pow(c.Y - 100, 2));
        Assert.InRange(r, 49, 56);

        var b = Assert.Single(boundary.CorrectiveClicks(gt, pred, 1, new Random(1)));
        Assert.True(b.IsForeground && gt[b.PixelX, b.PixelY] && !pred[b.PixelX, b.PixelY]);
        var touchesOutside = false;
        for (var dy = -1; dy <= 1; dy++)
            for (var dx = -1; dx <= 1; dx++)
                touchesOutside |= !gt[b.PixelX + dx, b.PixelY + dy];
        Assert.True(touchesOutside, $"{b} is not on the object boundary");

        // False positives: the boundary click is just outside the object.
        var fpClick = Assert.Single(boundary.CorrectiveClicks(pred, gt, 1, new Random(1)));
        Assert.Equal(ClickLabel.Background, fpClick.Label);
        Assert.True(gt[fpClick.PixelX, fpClick.PixelY] && !pred[fpClick.PixelX, fpClick.PixelY]);
        var r2 = Math.Sqrt(Math.Pow(fpClick.X - 100, 2) + Math.Pow(fpClick.Y - 100, 2));
        Assert.InRange(r2, 45, 47.5);
    }

    [Fact]
    public void BoundaryStrategyOnAHoleSearchesTheWholeImage()
    {
        // The FN region is a hole deep inside the prediction, far from the object's boundary on the left.
        var gt = Raster.FillBox(200, 100, new BoxF(0, 0, 200, 100)).AndNot(Raster.FillBox(200, 100, new BoxF(0, 0, 10, 100)));
        var pred = gt.AndNot(Raster.Disk(200, 100, 150, 50, 20));
        var sim = new ClickSimulator(new ClickSimulatorOptions(NoiseSigmaPx: 0, Strategy: ClickStrategy.Boundary));
        var click = Assert.Single(sim.CorrectiveClicks(gt, pred, 1, new Random(1)));
        Assert.True(click.IsForeground && !pred[click.PixelX, click.PixelY]);
        Assert.InRange(click.X, 129, 133); // leftmost part of the hole, closest to the boundary at x = 10
        Assert.InRange(click.Y, 49, 52);
    }

    [Fact]
    public void LargestErrorClickOnEmptyPredictionIsDiskCentre()
    {
        var gt = Raster.Disk(160, 120, 70.5, 50.5, 30);
        var empty = new BinaryMask(160, 120);
        Assert.Equal(Click.AtPixel(70, 50, ClickLabel.Foreground), ClickSimulator.LargestErrorClick(gt, empty));
        // The reverse: a spurious disk gets a background click at its centre.
        Assert.Equal(Click.AtPixel(70, 50, ClickLabel.Background), ClickSimulator.LargestErrorClick(empty, gt));
        Assert.Null(ClickSimulator.LargestErrorClick(gt, gt.Clone()));
    }

    [Fact]
    public void LargestErrorClickTreatsImageBorderAsOutside()
    {
        // Columns 0..39, rows 20..59, touching the left image border.
        var gt = Raster.FillBox(100, 80, new BoxF(0, 20, 40, 60));
        var click = ClickSimulator.LargestErrorClick(gt, new BinaryMask(100, 80));
        Assert.NotNull(click);
        Assert.InRange(click.Value.X, 19, 21.5);
        Assert.InRange(click.Value.Y, 39, 41.5);
    }

    [Fact]
    public void LargestErrorClickPicksTheDeeperErrorKind()
    {
        var gt = Raster.Disk(200, 100, 50.5, 50.5, 20);           // FN disk, depth ~20
        var pred = Raster.Disk(200, 100, 150.5, 50.5, 30);        // FP disk, depth ~30
        Assert.Equal(Click.AtPixel(150, 50, ClickLabel.Background), ClickSimulator.LargestErrorClick(gt, pred));
        var gt2 = Raster.Disk(200, 100, 50.5, 50.5, 35);
        Assert.Equal(Click.AtPixel(50, 50, ClickLabel.Foreground), ClickSimulator.LargestErrorClick(gt2, pred));
    }

    [Fact]
    public void LargestErrorClickMatchesBruteForce()
    {
        var rng = new Random(15);
        for (var trial = 0; trial < 60; trial++)
        {
            int width = rng.Next(12, 40), height = rng.Next(12, 40);
            var gt = SimulationTestData.RandomBlob(rng, width, height);
            var pred = SimulationTestData.Perturb(gt, rng);
            var fn = gt.AndNot(pred);
            var fp = pred.AndNot(gt);
            long fnBest = 0, fpBest = 0;
            (int X, int Y)? fnAt = null, fpAt = null;
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                {
                    var dn = SimulationTestData.DepthSquared(fn, x, y);
                    if (dn > fnBest) (fnBest, fnAt) = (dn, (x, y));
                    var dp = SimulationTestData.DepthSquared(fp, x, y);
                    if (dp > fpBest) (fpBest, fpAt) = (dp, (x, y));
                }
            var click = ClickSimulator.LargestErrorClick(gt, pred);
            if (fnAt is null && fpAt is null)
            {
                Assert.Null(click);
                continue;
            }
            var expected = fnBest > fpBest
                ? Click.AtPixel(fnAt!.Value.X, fnAt.Value.Y, ClickLabel.Foreground)
                : Click.AtPixel(fpAt!.Value.X, fpAt.Value.Y, ClickLabel.Background);
            Assert.Equal(expected, click);
        }
    }

    [Fact]
    public void LargestErrorClickSkipsAlreadyClickedPixels()
    {
        var gt = Raster.Disk(160, 120, 70.5, 50.5, 30);
        var empty = new BinaryMask(160, 120);
        var first = ClickSimulator.LargestErrorClick(gt, empty)!.Value;
        var second = ClickSimulator.LargestErrorClick(gt, empty, alreadyClicked: [first])!.Value;
        Assert.NotEqual(first, second);
        Assert.True(Math.Abs(second.X - first.X) + Math.Abs(second.Y - first.Y) <= 2);
    }

    [Fact]
    public void RealDevSetMask()
    {
        var gt = ImageCodec.ReadMask(TestData.DavisMask(0));
        Assert.True(gt.Area() > 100, "the dev-set mask is (nearly) empty");
        var empty = new BinaryMask(gt.Width, gt.Height);

        var first = ClickSimulator.LargestErrorClick(gt, empty);
        Assert.NotNull(first);
        Assert.True(first.Value.IsForeground && gt[first.Value.PixelX, first.Value.PixelY]);
        // The first NoC click is as deep inside the object as possible.
        var depth = DistanceTransform.SquaredDistanceToOutside(gt);
        Assert.Equal(depth.Max(), depth[first.Value.PixelY * gt.Width + first.Value.PixelX]);

        // A shifted, eroded prediction with both kinds of error.
        var pred = BinaryMask.FromPredicate(gt.Width, gt.Height, (x, y) => x >= 8 && gt[x - 8, y]);
        pred = pred.AndNot(Raster.Disk(gt.Width, gt.Height, first.Value.X, first.Value.Y, 12));
        var fn = gt.AndNot(pred);
        var fp = pred.AndNot(gt);
        var sim = new ClickSimulator();
        var rng = new Random(14);
        foreach (var strategy in new[] { ClickStrategy.Center, ClickStrategy.Boundary })
        {
            var s = new ClickSimulator(sim.Options with { Strategy = strategy });
            var clicks = s.CorrectiveClicks(gt, pred, 5, rng);
            Assert.Equal(5, clicks.Count);
            foreach (var c in clicks)
                Assert.True(SimulationTestData.ComponentArea(c.IsForeground ? fn : fp, c.PixelX, c.PixelY) >= 100, c.ToString());
        }

        // Speed: a few milliseconds per call on a full-size frame.
        const int calls = 40;
        sim.CorrectiveClicks(gt, pred, 3, rng);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++) sim.CorrectiveClicks(gt, pred, 3, rng);
        var perCall = watch.Elapsed.TotalMilliseconds / calls;
        watch.Restart();
        for (var i = 0; i < calls; i++) ClickSimulator.LargestErrorClick(gt, pred);
        var perNoc = watch.Elapsed.TotalMilliseconds / calls;
        output.WriteLine($"{gt.Width}x{gt.Height}: CorrectiveClicks {perCall:F2} ms, LargestErrorClick {perNoc:F2} ms per call");
        Assert.True(perCall < 50 && perNoc < 50, $"too slow: {perCall:F1} ms and {perNoc:F1} ms per call");
    }
}
