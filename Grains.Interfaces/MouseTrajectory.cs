namespace Grains.Interfaces;

/// <summary>
/// The mouse over the image during one answer, as the paper logged it: <see cref="Samples"/> holds
/// (milliseconds since the task was shown, x, y) triples in image pixels, at most <see cref="MaxPoints"/> points.
/// </summary>
[GenerateSerializer, Immutable, Alias("MouseTrajectory")]
public sealed record MouseTrajectory([property: Id(0)] int[] Samples)
{
    public const int MaxPoints = 4000;

    public int Count => Samples.Length / 3;
}
