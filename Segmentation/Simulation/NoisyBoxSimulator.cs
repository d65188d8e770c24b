using Segmentation.Masks;

namespace Segmentation.Simulation;

/// <summary>Settings of the simulated box annotator.</summary>
/// <param name="SigmaFraction">Noise standard deviation as a fraction of the tight box's longer side (used when <paramref name="SigmaPx"/> is null).</param>
/// <param name="SigmaPx">Absolute noise standard deviation in pixels; overrides <paramref name="SigmaFraction"/> when set.</param>
/// <param name="MinIoU">A noisy box is redrawn until its IoU with the tight box is at least this.</param>
/// <param name="MaxAttempts">Draws before giving up and returning the (clamped) tight box.</param>
public sealed record NoisyBoxSimulatorOptions(
    double SigmaFraction = 0.1,
    double? SigmaPx = null,
    double MinIoU = 0.7,
    int MaxAttempts = 1000);

/// <summary>
/// Simulates an annotator drawing a bounding box around an object: each of the four coordinates of the
/// tight ground-truth box gets independent Gaussian noise, and boxes whose IoU with the tight box is below
/// <see cref="NoisyBoxSimulatorOptions.MinIoU"/> are rejected and redrawn.
/// </summary>
public sealed class NoisyBoxSimulator
{
    public NoisyBoxSimulator(NoisyBoxSimulatorOptions? options = null)
    {
        Options = options ?? new NoisyBoxSimulatorOptions();
        if (Options.SigmaPx is < 0 || Options.SigmaFraction < 0)
            throw new ArgumentOutOfRangeException(nameof(options), "Box noise sigma must be non-negative.");
        if (Options.MaxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "MaxAttempts must be at least 1.");
    }

    public NoisyBoxSimulatorOptions Options { get; }

    /// <summary>The per-coordinate noise standard deviation, in pixels, for a given tight box.</summary>
    public double SigmaFor(BoxF tight) => Options.SigmaPx ?? Options.SigmaFraction * tight.LongerSide;

    /// <summary>
    /// One noisy box. Each candidate is (x0+n1, y0+n2, x1+n3, y1+n4) with n ~ N(0, sigma²), normalised
    /// (corners swapped if crossed) and clamped to the image; it is accepted when its area is positive and
    /// its IoU with the tight box is at least MinIoU. After MaxAttempts rejections the tight box (clamped)
    /// is returned.
    /// </summary>
    public BoxF Draw(BoxF tight, int imageWidth, int imageHeight, Random rng)
    {
        if (imageWidth <= 0 || imageHeight <= 0)
            throw new ArgumentOutOfRangeException(nameof(imageWidth), $"Image size {imageWidth}x{imageHeight} is empty.");
        tight = tight.Normalized();
        var sigma = SigmaFor(tight);
        for (var attempt = 0; attempt < Options.MaxAttempts; attempt++)
        {
            var candidate = new BoxF(
                rng.NextGaussian(tight.X0, sigma),
                rng.NextGaussian(tight.Y0, sigma),
                rng.NextGaussian(tight.X1, sigma),
                rng.NextGaussian(tight.Y1, sigma)).Normalized().ClampTo(imageWidth, imageHeight);
            if (candidate.Area > 0 && candidate.IoU(tight) >= Options.MinIoU) return candidate;
        }
        return tight.ClampTo(imageWidth, imageHeight);
    }

    /// <summary>The tight box of a mask's object pixels (pixel (i, j) covers [i, i+1) x [j, j+1)).</summary>
    public static BoxF TightBox(BinaryMask mask) =>
        mask.BoundingBox()?.ToBox() ?? throw new ArgumentException("The mask is empty, so it has no box.", nameof(mask));
}
