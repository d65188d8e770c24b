namespace Grains.Interfaces;

/// <summary>
/// Liveness probe for the grain runtime. A successful <see cref="Ping"/> means a silo
/// accepted the call, activated a grain and returned a result, which is what the
/// API host's readiness check needs to know.
/// </summary>
public interface IHealthGrain : IGrainWithIntegerKey
{
    /// <summary>Returns the address of the silo that served the call.</summary>
    Task<string> Ping();
}
