using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Grains.Inference;

/// <summary>Filters the placement candidates of a <see cref="ModelSiloFilterAttribute"/> grain by the silos' announced model kind.</summary>
public sealed class ModelSiloFilterDirector(ISiloMetadataCache metadata) : IPlacementFilterDirector
{
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos) =>
        ModelPlacement.Candidates(silos.Select(silo =>
            (silo, ModelPlacement.Parse(metadata.GetSiloMetadata(silo).Metadata.GetValueOrDefault(ModelPlacement.MetadataKey)))));
}
