using Segmentation.Models;
using Segmentation.Simulation;

namespace Segmentation.Evaluation;

public enum ProtocolKind
{
    /// <summary>Noisy box -> M_b, then R rounds of up to K corrective clicks (the paper's campaign protocol).</summary>
    Rounds,

    /// <summary>One click at a time, no box, up to a maximum; number of clicks to reach an IoU (NoC).</summary>
    Noc,
}

public sealed record ProtocolSettings
{
    public ProtocolKind Kind { get; init; } = ProtocolKind.Rounds;
    public int Rounds { get; init; } = 3;
    public int ClicksPerRound { get; init; } = 3;
    public int MaxNocClicks { get; init; } = 20;
    public int Seed { get; init; } = 1;
    public double BoundaryTolerancePx { get; init; } = 5;
    public ClickSimulatorOptions Clicks { get; init; } = new();
    public NoisyBoxSimulatorOptions Boxes { get; init; } = new();

    /// <summary>
    /// A yardstick instead of a measurement: every model call's answer is the best by IoU with the truth among these
    /// (<see cref="IJudgedChoiceModel"/>), or with <see cref="Models.JudgedChoice.Observe"/> the model's own answers with every
    /// answer it could give scored. Null: the model's own answers, as in the product.
    /// </summary>
    public JudgedChoice? JudgedChoice { get; init; }

    public void Validate()
    {
        if (Rounds < 0) throw new ArgumentOutOfRangeException(nameof(Rounds), Rounds, "Rounds must be 0 or more.");
        if (ClicksPerRound < 1) throw new ArgumentOutOfRangeException(nameof(ClicksPerRound), ClicksPerRound, "Clicks per round must be at least 1.");
        if (MaxNocClicks < 1) throw new ArgumentOutOfRangeException(nameof(MaxNocClicks), MaxNocClicks, "The NoC click limit must be at least 1.");
        if (BoundaryTolerancePx < 0) throw new ArgumentOutOfRangeException(nameof(BoundaryTolerancePx), BoundaryTolerancePx, "The boundary tolerance must not be negative.");
    }
}
