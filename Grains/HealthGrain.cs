using Grains.Interfaces;
using Orleans.Concurrency;

namespace Grains;

/// <summary>
/// Stateless, so the runtime activates it on the silo that receives the call and never
/// needs to consult the grain directory or storage to answer.
/// </summary>
[StatelessWorker]
public sealed class HealthGrain(ILocalSiloDetails silo) : Grain, IHealthGrain
{
    public Task<string> Ping() => Task.FromResult(silo.SiloAddress.ToString());
}
