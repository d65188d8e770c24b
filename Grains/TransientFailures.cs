using Grains.Interfaces;

namespace Grains;

/// <summary>
/// Which failures pass: the database refused or did not answer, or a silo of the cluster was lost or is restarting. The
/// same call sent again later can succeed; anything else (a refusal, a bad image, a bug) fails again the same way.
/// </summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception? exception) => IsStorageFailure(exception) || IsClusterFailure(exception);

    /// <summary>A database error, or a version conflict after a failed or concurrent write, anywhere in the exception's causes.</summary>
    public static bool IsStorageFailure(Exception? exception) => Any(exception, e =>
        e is StorageUnavailableException or System.Data.Common.DbException or Orleans.Storage.InconsistentStateException
            or Store.StoreConflictException);

    /// <summary>
    /// A grain call that did not reach its grain or whose silo did not answer: a silo that died or is not declared dead
    /// yet, a refused connection, an activation that could not start, a gateway shedding load, a call that timed out.
    /// </summary>
    public static bool IsClusterFailure(Exception? exception) => Any(exception, e =>
        e is Orleans.Runtime.OrleansMessageRejectionException or Orleans.Runtime.SiloUnavailableException
            or Orleans.Runtime.GatewayTooBusyException or Orleans.Runtime.Messaging.ConnectionFailedException or TimeoutException);

    static bool Any(Exception? exception, Func<Exception, bool> matches) => exception switch
    {
        null => false,
        _ when matches(exception) => true,
        AggregateException a => a.InnerExceptions.Any(inner => Any(inner, matches)),
        _ => Any(exception.InnerException, matches),
    };
}
