namespace Simulator.Load;

/// <summary>
/// How long a simulated person takes between the actions of one task, after the paper's timings (figure 7 and
/// section 5.2): about 4 s to look at a mask and accept it, about 8 s to the first corrective click, about 3 s for
/// each further click. Each time is drawn from a log-normal distribution with that mean, so most answers come near it
/// and a few take much longer, as people's do.
/// </summary>
/// <param name="AcceptSeconds">Mean time to accept a mask that needs no click.</param>
/// <param name="FirstClickSeconds">Mean time from receiving a task to its first click.</param>
/// <param name="FurtherClickSeconds">Mean time between two clicks of one task.</param>
/// <param name="Spread">The log-normal's sigma: 0 gives the means exactly.</param>
public sealed record HumanPace(double AcceptSeconds = 4, double FirstClickSeconds = 8, double FurtherClickSeconds = 3, double Spread = 0.4)
{
    /// <summary>The time before the action that follows <paramref name="clicksSoFar"/> clicks of a task with <paramref name="plannedClicks"/> clicks.</summary>
    public TimeSpan Before(int clicksSoFar, int plannedClicks, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var mean = plannedClicks == 0 ? AcceptSeconds : clicksSoFar == 0 ? FirstClickSeconds : FurtherClickSeconds;
        return TimeSpan.FromSeconds(Draw(mean, random));
    }

    /// <summary>A log-normal draw with mean <paramref name="mean"/> (the median is mean * exp(-sigma^2 / 2)).</summary>
    public double Draw(double mean, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (Spread == 0 || mean == 0) return mean;
        // Box-Muller: one standard normal from two uniforms in (0, 1].
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return mean * Math.Exp(Spread * z - Spread * Spread / 2);
    }

    /// <summary>Everything scaled by <paramref name="factor"/> (a quicker or slower crowd).</summary>
    public HumanPace Scaled(double factor) =>
        this with { AcceptSeconds = AcceptSeconds * factor, FirstClickSeconds = FirstClickSeconds * factor, FurtherClickSeconds = FurtherClickSeconds * factor };
}
