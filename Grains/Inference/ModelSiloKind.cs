namespace Grains.Inference;

/// <summary>What a silo offers for model work, announced to the cluster in its silo metadata.</summary>
public enum ModelSiloKind
{
    /// <summary>Runs models on its processors (the default).</summary>
    Cpu,

    /// <summary>Has a GPU: model work goes to such silos first.</summary>
    Gpu,

    /// <summary>Runs no models: image grains are never placed here, and its model host refuses work.</summary>
    None,
}
