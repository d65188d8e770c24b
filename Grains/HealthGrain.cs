using Grains.Interfaces;
using Grains.Store;
using Orleans.Concurrency;

namespace Grains;

/// <summary>
/// Stateless, so the runtime activates it on the silo that receives the call and never
/// needs to consult the grain directory or storage to answer.
/// </summary>
[StatelessWorker]
public sealed class HealthGrain(ILocalSiloDetails silo, ICampaignStore store) : Grain, IHealthGrain
{
    public Task<string> Ping() => Task.FromResult(silo.SiloAddress.ToString());

    public async Task CheckStorage()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        await store.Ping(timeout.Token);
    }
}
