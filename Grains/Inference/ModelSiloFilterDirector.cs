using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Grains.Inference;

/// <summary>
/// Filters the placement candidates of a <see cref="ModelSiloFilterAttribute"/> grain by the silos' announced model
/// kind. This silo's own kind comes from its options: the metadata cache may not hold it yet just after start.
/// </summary>
public sealed class ModelSiloFilterDirector(ISiloMetadataCache metadata, ILocalSiloDetails local, IOptions<InferenceOptions> options)
    : IPlacementFilterDirector
{
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos) =>
        ModelPlacement.Candidates(silos.Select(silo => (silo, silo.Equals(local.SiloAddress)
            ? options.Value.Models
            : ModelPlacement.Parse(metadata.GetSiloMetadata(silo).Metadata.GetValueOrDefault(ModelPlacement.MetadataKey)))));
}
