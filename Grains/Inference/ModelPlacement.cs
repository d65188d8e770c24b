namespace Grains.Inference;

/// <summary>
/// Where model work may run: the silos an image grain (with its embeddings and, through the stateless inference grain,
/// its model calls) may be placed on, given what each silo announced.
/// </summary>
public static class ModelPlacement
{
    /// <summary>The silo metadata key holding a silo's <see cref="ModelSiloKind"/> in lower case.</summary>
    public const string MetadataKey = "annotation-models";

    /// <summary>The metadata value of <paramref name="kind"/>.</summary>
    public static string Value(ModelSiloKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The kind a metadata value names; null for none given or a value this version does not know.</summary>
    public static ModelSiloKind? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "cpu" => ModelSiloKind.Cpu,
        "gpu" => ModelSiloKind.Gpu,
        "none" => ModelSiloKind.None,
        _ => null,
    };

    /// <summary>
    /// The GPU silos if there are any, else the CPU silos, else the silos whose kind is not known yet (their metadata has
    /// not reached this silo; an image grain refuses to activate on a silo that runs no models, and the next call places
    /// it again). Never a silo known to run no models.
    /// </summary>
    public static IReadOnlyList<T> Candidates<T>(IEnumerable<(T Silo, ModelSiloKind? Kind)> silos)
    {
        ArgumentNullException.ThrowIfNull(silos);
        var all = silos.ToArray();
        foreach (var wanted in new ModelSiloKind?[] { ModelSiloKind.Gpu, ModelSiloKind.Cpu, null })
        {
            var matching = all.Where(s => s.Kind == wanted).Select(s => s.Silo).ToArray();
            if (matching.Length > 0) return matching;
        }
        return [];
    }
}
