namespace Segmentation.Models.CropContract;

/// <summary>How clicks are drawn into the foreground and background click channels.</summary>
public enum ClickEncoding
{
    /// <summary>1 on input pixels whose centre lies within <see cref="CropContractOptions.ClickRadius"/> of a click, else 0.</summary>
    Disk = 0,

    /// <summary>
    /// exp(-d^2 / (2 sigma^2)) with sigma = <see cref="CropContractOptions.GaussianSigma"/>, where d is the distance
    /// to the nearest click of that label; the peak is 1 at the click. All zeros when there is no such click.
    /// </summary>
    Gaussian = 1,

    /// <summary>
    /// min(d, T) / T with T = <see cref="CropContractOptions.DistanceTruncation"/>, where d is the Euclidean
    /// distance to the nearest click of that label: 0 at the click, rising to 1 at distance T and beyond.
    /// All ones when there is no such click (the truncated distance of "infinitely far").
    /// </summary>
    DistanceTransform = 2,
}

/// <summary>
/// The tensor contract of a crop-contract model (M_b: image + box, M_b+c: image + box + clicks).
/// All distances here (click radius, Gaussian sigma, distance truncation) are in model-input pixels,
/// i.e. after the crop has been scaled so that the box fits <see cref="InnerSize"/>; a click therefore
/// has the same size in the model input whatever the size of the object. See docs/crop-contract.md.
/// </summary>
public sealed record CropContractOptions
{
    /// <summary>Side of the square model input (the paper uses 513).</summary>
    public int InputSize { get; init; } = 513;

    /// <summary>Side of the centred square the box is fitted into (the paper uses 385).</summary>
    public int InnerSize { get; init; } = 385;

    /// <summary>
    /// False for M_b (4 input channels: R, G, B, box); true for M_b+c (6 channels: R, G, B, box,
    /// foreground clicks, background clicks). An M_b model ignores the clicks of a prompt.
    /// </summary>
    public bool TakesClicks { get; init; } = true;

    public ClickEncoding ClickEncoding { get; init; } = ClickEncoding.Disk;

    /// <summary>Disk radius in model-input pixels (the paper's binary disks have radius 5).</summary>
    public double ClickRadius { get; init; } = 5;

    /// <summary>Standard deviation of the <see cref="ClickEncoding.Gaussian"/> encoding, in model-input pixels.</summary>
    public double GaussianSigma { get; init; } = 5;

    /// <summary>Truncation distance T of the <see cref="ClickEncoding.DistanceTransform"/> encoding, in model-input pixels.</summary>
    public double DistanceTruncation { get; init; } = 255;

    /// <summary>Per-channel mean (R, G, B) subtracted from pixel values scaled to [0, 1].</summary>
    public IReadOnlyList<float> Mean { get; init; } = [0.485f, 0.456f, 0.406f];

    /// <summary>Per-channel standard deviation (R, G, B) that mean-subtracted values are divided by.</summary>
    public IReadOnlyList<float> Std { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>False: the output holds foreground probabilities in [0, 1]. True: it holds logits (probability = sigmoid(logit)).</summary>
    public bool OutputIsLogits { get; init; }

    /// <summary>A pixel is foreground when its (interpolated) probability is strictly greater than this.</summary>
    public double Threshold { get; init; } = 0.5;

    public string InputName { get; init; } = "input";
    public string OutputName { get; init; } = "output";

    /// <summary>Try the CUDA execution provider (device <see cref="CudaDeviceId"/>) before falling back to the CPU.</summary>
    public bool TryCuda { get; init; } = true;

    public int CudaDeviceId { get; init; }

    /// <summary>Number of input channels: 6 when <see cref="TakesClicks"/>, else 4.</summary>
    public int ChannelCount => TakesClicks ? 6 : 4;

    /// <summary>The paper's M_b: image and box only.</summary>
    public static CropContractOptions BoxOnly { get; } = new() { TakesClicks = false };

    /// <summary>The paper's M_b+c: image, box and corrective clicks.</summary>
    public static CropContractOptions BoxAndClicks { get; } = new() { TakesClicks = true };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent setting.</summary>
    public void Validate()
    {
        if (InputSize <= 0) throw new ArgumentException($"InputSize must be positive (got {InputSize}).");
        if (InnerSize <= 0 || InnerSize > InputSize)
            throw new ArgumentException($"InnerSize must be in 1..InputSize={InputSize} (got {InnerSize}).");
        if (Mean.Count != 3) throw new ArgumentException($"Mean must have 3 values (R, G, B), got {Mean.Count}.");
        if (Std.Count != 3) throw new ArgumentException($"Std must have 3 values (R, G, B), got {Std.Count}.");
        foreach (var s in Std)
            if (!(s > 0) || !float.IsFinite(s)) throw new ArgumentException($"Std values must be positive and finite (got {s}).");
        if (!(ClickRadius >= 0)) throw new ArgumentException($"ClickRadius must be non-negative (got {ClickRadius}).");
        if (!(GaussianSigma > 0)) throw new ArgumentException($"GaussianSigma must be positive (got {GaussianSigma}).");
        if (!(DistanceTruncation > 0)) throw new ArgumentException($"DistanceTruncation must be positive (got {DistanceTruncation}).");
        if (!(Threshold > 0 && Threshold < 1)) throw new ArgumentException($"Threshold must be strictly between 0 and 1 (got {Threshold}).");
        if (!Enum.IsDefined(ClickEncoding)) throw new ArgumentException($"Unknown click encoding {ClickEncoding}.");
        if (string.IsNullOrEmpty(InputName)) throw new ArgumentException("InputName must not be empty.");
        if (string.IsNullOrEmpty(OutputName)) throw new ArgumentException("OutputName must not be empty.");
    }
}
