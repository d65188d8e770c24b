using Orleans.Placement;

namespace Grains.Inference;

/// <summary>Places the grain only on silos that run models, GPU silos first (see <see cref="ModelPlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ModelSiloFilterAttribute() : PlacementFilterAttribute(new ModelSiloFilterStrategy());

/// <summary>The placement filter of <see cref="ModelSiloFilterAttribute"/>; Orleans creates it by type on every silo.</summary>
public sealed class ModelSiloFilterStrategy() : PlacementFilterStrategy(order: 0);
