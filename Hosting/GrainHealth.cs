using Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace Hosting;

/// <summary>Why the cluster is not ready: a short status, a title for a problem answer and a sentence.</summary>
public sealed record HealthFailure(string Status, string Title, string Detail);

/// <summary>
/// The readiness check the gateway's <c>/health</c> and the silo's <c>/health/ready</c> share: the health grain answers
/// a ping, then checks the database, each within <paramref name="timeout"/>.
/// </summary>
public static class GrainHealth
{
    /// <returns>Null when ready; otherwise what failed (the exception is logged, not returned).</returns>
    public static async Task<HealthFailure?> Check(IGrainFactory grains, TimeSpan timeout, ILogger logger, CancellationToken cancellation)
    {
        var health = grains.GetGrain<IHealthGrain>(0);
        try
        {
            var silo = await health.Ping().WaitAsync(timeout, cancellation);
            logger.LogDebug("Health ping answered by {Silo}", silo);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Health ping failed");
            return new HealthFailure("grains not answering", "Silo not ready", "The grain runtime did not answer the health ping.");
        }
        try
        {
            await health.CheckStorage().WaitAsync(timeout, cancellation);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Health storage check failed");
            return new HealthFailure("storage not answering", "Storage not ready", "The database did not answer.");
        }
    }
}
