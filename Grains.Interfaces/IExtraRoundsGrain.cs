using Orleans.Concurrency;

namespace Grains.Interfaces;

/// <summary>
/// Spends a manager's extra-click budget of one campaign (key: campaign id) on extra rounds after the last round:
/// grants rounds to the best candidates of the quality index shards, one round's clicks reserved each, and grants more
/// as rounds finish with their actual click counts, until the budget cannot pay for another round or no candidate is left.
/// </summary>
public interface IExtraRoundsGrain : IGrainWithStringKey
{
    /// <summary>Starts spending. Repeating the active request is a no-op; another request while one is active is refused.</summary>
    Task<ExtraRoundsSummary> Start(ExtraRoundsRequest request);

    /// <summary>
    /// An instance's extra round ended (corrected and re-masked, accepted or skipped) with <paramref name="clicks"/> clicks.
    /// Charges the clicks; further rounds are granted afterwards (<see cref="GrantMore"/>). One-way, so an instance never
    /// waits on this grain while the grain may be asking instances (the caller can be the next candidate, or an outstanding
    /// grant being reconciled). A notice lost with a crash is recovered on activation from the instance's own state.
    /// </summary>
    [OneWay]
    Task RoundFinished(string instanceId, int round, int clicks);

    /// <summary>Grants the rounds the unreserved budget pays for (sent by the grain to itself after a round finished).</summary>
    [OneWay]
    Task GrantMore();

    [AlwaysInterleave]
    Task<ExtraRoundsSummary> GetSummary();
}
