using Segmentation.Masks;
using Segmentation.Simulation;

namespace Segmentation.Tests.Simulation;

public class NoisyBoxSimulatorTests
{
    private static readonly BoxF Tight = new(100, 120, 200, 180); // longer side 100 -> sigma 10

    [Fact]
    public void TightBoxCoversObjectPixels()
    {
        var mask = new BinaryMask(50, 40);
        mask[3, 5] = true;
        mask[10, 20] = true;
        Assert.Equal(new BoxF(3, 5, 11, 21), NoisyBoxSimulator.TightBox(mask));
        Assert.Throws<ArgumentException>(() => NoisyBoxSimulator.TightBox(new BinaryMask(5, 5)));
    }

    [Fact]
    public void AllBoxesMeetMinIoUAndStayInImage()
    {
        var sim = new NoisyBoxSimulator();
        Assert.Equal(10, sim.SigmaFor(Tight), 9);
        var rng = new Random(3);
        var changed = 0;
        for (var i = 0; i < 3000; i++)
        {
            var box = sim.Draw(Tight, 400, 300, rng);
            Assert.True(box.IoU(Tight) >= 0.7, $"IoU {box.IoU(Tight)} of {box}");
            Assert.True(box.X0 >= 0 && box.Y0 >= 0 && box.X1 <= 400 && box.Y1 <= 300, box.ToString());
            Assert.True(box.X0 < box.X1 && box.Y0 < box.Y1, box.ToString());
            if (box != Tight) changed++;
        }
        Assert.Equal(3000, changed);
    }

    [Fact]
    public void BoxesNearTheImageBorderAreClamped()
    {
        var sim = new NoisyBoxSimulator();
        var rng = new Random(4);
        var corner = new BoxF(0, 0, 40, 30);
        for (var i = 0; i < 500; i++)
        {
            var box = sim.Draw(corner, 64, 48, rng);
            Assert.True(box.X0 >= 0 && box.Y0 >= 0 && box.X1 <= 64 && box.Y1 <= 48, box.ToString());
            Assert.True(box.IoU(corner) >= 0.7);
        }
    }

    [Fact]
    public void PerturbationStdMatchesSigma()
    {
        // Without rejection the per-coordinate noise is N(0, sigma^2) exactly.
        var free = new NoisyBoxSimulator(new NoisyBoxSimulatorOptions(MinIoU: 0));
        var rng = new Random(5);
        var dx0 = new List<double>();
        var dy1 = new List<double>();
        for (var i = 0; i < 20000; i++)
        {
            var box = free.Draw(Tight, 1000, 1000, rng);
            dx0.Add(box.X0 - Tight.X0);
            dy1.Add(box.Y1 - Tight.Y1);
        }
        Assert.InRange(SimulationTestData.StdDev(dx0, out var m0), 9.7, 10.3);
        Assert.InRange(m0, -0.25, 0.25);
        Assert.InRange(SimulationTestData.StdDev(dy1, out var m1), 9.7, 10.3);
        Assert.InRange(m1, -0.25, 0.25);

        // With the IoU >= 0.7 rejection the accepted noise is somewhat narrower but of the same scale.
        var sim = new NoisyBoxSimulator();
        var kept = new List<double>();
        for (var i = 0; i < 20000; i++) kept.Add(sim.Draw(Tight, 1000, 1000, rng).X1 - Tight.X1);
        Assert.InRange(SimulationTestData.StdDev(kept, out var mk), 7.0, 10.1);
        Assert.InRange(mk, -0.5, 0.5);
    }

    [Fact]
    public void AbsoluteSigmaOverridesFraction()
    {
        var sim = new NoisyBoxSimulator(new NoisyBoxSimulatorOptions(SigmaPx: 2, MinIoU: 0));
        Assert.Equal(2, sim.SigmaFor(Tight));
        var rng = new Random(6);
        var d = Enumerable.Range(0, 20000).Select(_ => sim.Draw(Tight, 1000, 1000, rng).Y0 - Tight.Y0).ToList();
        Assert.InRange(SimulationTestData.StdDev(d, out _), 1.94, 2.06);
    }

    [Fact]
    public void ImpossibleIoUFallsBackToTightBox()
    {
        var sim = new NoisyBoxSimulator(new NoisyBoxSimulatorOptions(MinIoU: 1.01, MaxAttempts: 20));
        Assert.Equal(Tight, sim.Draw(Tight, 400, 300, new Random(7)));
    }

    [Fact]
    public void SameSeedSameBox()
    {
        var sim = new NoisyBoxSimulator();
        Assert.Equal(sim.Draw(Tight, 400, 300, new Random(8)), sim.Draw(Tight, 400, 300, new Random(8)));
        Assert.NotEqual(sim.Draw(Tight, 400, 300, new Random(8)), sim.Draw(Tight, 400, 300, new Random(9)));
    }
}
