namespace Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("ExtraRoundsSummary")]
public sealed record ExtraRoundsSummary(
    [property: Id(0)] ExtraRoundsRequest? Request,
    [property: Id(1)] bool Active,
    [property: Id(2)] int ClicksSpent,
    [property: Id(3)] int Outstanding,
    [property: Id(4)] int RoundsGranted,
    [property: Id(5)] int RoundsFinished,
    [property: Id(6)] string? StopReason);
