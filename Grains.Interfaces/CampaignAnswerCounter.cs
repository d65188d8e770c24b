namespace Grains.Interfaces;

/// <summary>One of a campaign's answer counters as it crosses grain calls (the kernel's <c>AnswerCounter</c>; <see cref="Kind"/> is its kind's number).</summary>
[GenerateSerializer, Immutable, Alias("CampaignAnswerCounter")]
public sealed record CampaignAnswerCounter(
    [property: Id(0)] int Kind,
    [property: Id(1)] long K1,
    [property: Id(2)] long K2,
    [property: Id(3)] long Answers,
    [property: Id(4)] long Finished,
    [property: Id(5)] double Seconds,
    [property: Id(6)] long FirstAtTicks,
    [property: Id(7)] long LastAtTicks);
