using Grains;
using Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Backend.Tests.Storage;

/// <summary>
/// A database error raised in a silo reaches a client-only gateway through Orleans' serializer; it must still be seen as a
/// storage failure there (503 with Retry-After), not as an unknown error (500).
/// </summary>
public sealed class DatabaseErrorSerializationTests
{
    static Exception? RoundTrip(Exception error, bool allowDatabaseErrors)
    {
        var services = new ServiceCollection().AddSerializer();
        if (allowDatabaseErrors) AnnotationStorage.LetDatabaseErrorsCrossProcesses(services);
        using var provider = services.BuildServiceProvider();
        var serializer = provider.GetRequiredService<Serializer<Exception>>();
        return serializer.Deserialize(serializer.SerializeToArray(error));
    }

    [Fact]
    public void A_postgres_driver_error_from_another_process_is_still_a_storage_failure()
    {
        var error = new Npgsql.NpgsqlException("Failed to connect to 127.0.0.1:5432");

        var arrived = RoundTrip(error, allowDatabaseErrors: true);
        Assert.IsType<Npgsql.NpgsqlException>(arrived);
        Assert.True(TransientFailures.IsStorageFailure(arrived));

        // Orleans' default: the silo cannot send the driver's error at all, and the caller gets a serialization failure
        // that no longer says the database was down.
        Assert.Throws<CodecNotFoundException>(() => RoundTrip(error, allowDatabaseErrors: false));
    }
}
