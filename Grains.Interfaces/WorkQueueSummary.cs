namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("WorkQueueSummary")]
public sealed record WorkQueueSummary(
    [property: Id(0)] int Waiting,
    [property: Id(1)] int Leased,
    [property: Id(2)] int Corrected,
    [property: Id(3)] int Accepted,
    [property: Id(4)] int Skipped,
    [property: Id(5)] long ExpiredLeases);
