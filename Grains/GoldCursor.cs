namespace Grains;

/// <summary>How far an annotator has walked a campaign's gold instances (their order: added time, then instance id).</summary>
[GenerateSerializer, Immutable, Alias("GoldCursor")]
public sealed record GoldCursor([property: Id(0)] long AddedAt, [property: Id(1)] string InstanceId);
