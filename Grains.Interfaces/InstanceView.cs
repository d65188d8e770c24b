namespace Grains.Interfaces;

/// <summary>A read-only copy of an instance's state. <see cref="Status"/> shows a lapsed lease as Queued.</summary>
[GenerateSerializer, Immutable, Alias("InstanceView")]
public sealed record InstanceView(
    [property: Id(0)] string Key,
    [property: Id(1)] InstanceSpec? Spec,
    [property: Id(2)] InstanceStatus Status,
    [property: Id(3)] int CurrentRound,
    [property: Id(4)] string? LeasedTo,
    [property: Id(5)] DateTimeOffset? LeaseExpiresAt,
    [property: Id(6)] IReadOnlyList<RoundMask> Masks,
    [property: Id(7)] IReadOnlyList<ClickRecord> Clicks,
    [property: Id(8)] IReadOnlyList<RoundAnswer> Answers,
    [property: Id(9)] int ProcessedSubmissions,
    [property: Id(10)] IReadOnlyDictionary<int, double>? PredictedIoU = null);
