namespace Grains.Interfaces;

/// <summary>One instance in a campaign's ranking, with the predicted IoU of its current mask under the campaign's current model.</summary>
[GenerateSerializer, Immutable, Alias("RankedInstance")]
public sealed record RankedInstance(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] int Round,
    [property: Id(2)] double? PredictedIoU,
    [property: Id(3)] InstanceStatus Status,
    [property: Id(4)] double? TrueIoU,
    [property: Id(5)] bool Training,
    [property: Id(6)] int ExtraRounds);
