namespace Grains.Interfaces;

/// <summary>Milliseconds a model call spent, as measured on the silo.</summary>
[GenerateSerializer, Immutable, Alias("ModelTiming")]
public sealed record ModelTiming(
    [property: Id(0)] double EncoderMs,
    [property: Id(1)] double DecoderMs,
    [property: Id(2)] int DecoderRuns,
    [property: Id(3)] double QueueMs,
    [property: Id(4)] double TotalMs,
    [property: Id(5)] int ReplayedRounds);
