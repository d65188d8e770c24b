namespace Segmentation.Models;

/// <summary>How <see cref="EdgeRefinement"/> works on one mask.</summary>
/// <param name="Radius">Window radius in pixels of the guided filter; 0: from the low-resolution cell size.</param>
/// <param name="Epsilon">Guided-filter regulariser on guide intensities in 0..1: larger keeps more of the model's own boundary.</param>
/// <param name="UncertainLogit">Only pixels whose logit is closer to 0 than this may change: the band around the model's boundary.</param>
public sealed record EdgeRefinementOptions(int Radius = 0, double Epsilon = 0.002, float UncertainLogit = 6f);
