using Segmentation.Masks;
using Segmentation.Simulation;

namespace Segmentation.Tests.Simulation;

public sealed class PaintedReferenceTests
{
    static readonly BinaryMask Truth = BinaryMask.FromPredicate(160, 120, (x, y) => (x - 80) * (x - 80) + (y - 60) * (y - 60) < 45 * 45);

    [Fact]
    public void Without_noise_the_painting_is_the_true_mask()
    {
        Assert.Equal(Truth, PaintedReference.Paint(Truth, 0, new Random(1)));
    }

    [Fact]
    public void Boundary_noise_moves_only_pixels_near_the_boundary_and_repeats_with_the_seed()
    {
        var painted = PaintedReference.Paint(Truth, 3, new Random(5));

        Assert.NotEqual(Truth, painted);
        Assert.Equal(painted, PaintedReference.Paint(Truth, 3, new Random(5)));
        Assert.InRange(MaskMetrics.IoU(painted, Truth), 0.9, 0.995);
        var toObject = DistanceTransform.SquaredDistanceTo(Truth);
        var toBackground = DistanceTransform.SquaredDistanceToOutside(Truth);
        for (var i = 0; i < painted.Data.Length; i++)
        {
            if (painted.Data[i] == Truth.Data[i]) continue;
            // Grown pixels are closer than the amplitude (3 px) to the object, removed ones closer than it to the background.
            Assert.True((painted.Data[i] == 1 ? toObject[i] : toBackground[i]) < 3 * 3, $"pixel {i} moved too far");
        }
    }

    [Fact]
    public void A_negative_or_infinite_amplitude_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PaintedReference.Paint(Truth, -1, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PaintedReference.Paint(Truth, double.PositiveInfinity, new Random(1)));
    }
}
