namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("ModelWorkSummary")]
public sealed record ModelWorkSummary(
    [property: Id(0)] int Pending,
    [property: Id(1)] int Completed,
    [property: Id(2)] int Failed,
    [property: Id(3)] IReadOnlyDictionary<int, int> CompletedByRound,
    [property: Id(4)] IReadOnlyList<string> RecentErrors);
