using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Hosting;

/// <summary>Where grain state (and, for PostgreSQL, membership and reminders) is kept.</summary>
public enum StorageKind
{
    /// <summary>Embedded: one SQLite file, localhost clustering, in-memory reminders.</summary>
    Sqlite,

    /// <summary>Production: PostgreSQL for grain state, cluster membership and reminders.</summary>
    Postgres,
}

/// <summary>Thrown for storage options that cannot work (unknown kind, missing connection string).</summary>
public sealed class StorageConfigurationException(string message) : Exception(message);

/// <summary>
/// The storage choice of a host, read from configuration:
/// <list type="bullet">
/// <item><c>storage</c>: <c>sqlite</c> (default) or <c>postgres</c>;</item>
/// <item><c>data</c>: the folder holding <c>annotation.db</c> for SQLite (default <c>./data</c>);</item>
/// <item><c>connection</c>: the Npgsql connection string for PostgreSQL (required then);</item>
/// <item><c>schema</c>: <c>apply</c> (default) creates or refreshes the tables and queries at
/// start-up, <c>skip</c> leaves the database alone (when an operator applies <c>deploy/</c> by hand).</item>
/// </list>
/// </summary>
public sealed record StorageSettings(StorageKind Kind, string ConnectionString, bool ApplySchema)
{
    /// <summary>The grain storage provider name grains use: <c>[PersistentState("x", "annotation")]</c>.</summary>
    public const string ProviderName = "annotation";

    /// <summary>ADO.NET invariant Orleans maps to <c>Microsoft.Data.Sqlite.SqliteFactory</c>.</summary>
    public const string SqliteInvariant = "System.Data.SQLite";

    /// <summary>ADO.NET invariant Orleans maps to <c>Npgsql.NpgsqlFactory</c>.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>The SQLite file name inside the data folder.</summary>
    public const string SqliteFileName = "annotation.db";

    public string Invariant => Kind == StorageKind.Sqlite ? SqliteInvariant : PostgresInvariant;

    /// <summary>The SQLite storage on the file <paramref name="path"/>.</summary>
    public static StorageSettings ForSqliteFile(string path, bool applySchema = true) =>
        new(StorageKind.Sqlite, SqliteConnectionString(path), applySchema);

    /// <summary>The PostgreSQL storage behind <paramref name="connectionString"/>.</summary>
    public static StorageSettings ForPostgres(string connectionString, bool applySchema = true) =>
        new(StorageKind.Postgres, connectionString, applySchema);

    /// <summary>The data folder (<c>--data</c>, default <c>./data</c>) as a full path, created if missing: the embedded database and caches live there.</summary>
    public static string DataFolder(IConfiguration configuration)
    {
        var folder = Path.GetFullPath(configuration["data"] is { Length: > 0 } data ? data : "data");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static StorageSettings FromConfiguration(IConfiguration configuration)
    {
        var applySchema = (configuration["schema"] ?? "apply").Trim().ToLowerInvariant() switch
        {
            "apply" => true,
            "skip" => false,
            var other => throw new StorageConfigurationException($"Unknown --schema '{other}': use apply or skip."),
        };
        switch ((configuration["storage"] ?? "sqlite").Trim().ToLowerInvariant())
        {
            case "sqlite":
                var folder = DataFolder(configuration);
                return ForSqliteFile(Path.Combine(folder, SqliteFileName), applySchema);
            case "postgres" or "postgresql":
                var connection = configuration["connection"];
                if (string.IsNullOrWhiteSpace(connection))
                {
                    throw new StorageConfigurationException(
                        "--storage postgres needs --connection \"Host=...;Database=...;Username=...;Password=...\".");
                }
                try
                {
                    _ = new NpgsqlConnectionStringBuilder(connection);
                }
                catch (ArgumentException ex)
                {
                    throw new StorageConfigurationException($"--connection is not a valid PostgreSQL connection string: {ex.Message}");
                }
                return ForPostgres(connection, applySchema);
            case var other:
                throw new StorageConfigurationException($"Unknown --storage '{other}': use sqlite or postgres.");
        }
    }

    /// <summary>Where the data lives, without secrets: the SQLite file, or host/port/database/user.</summary>
    public string Location
    {
        get
        {
            if (Kind == StorageKind.Sqlite)
            {
                return new SqliteConnectionStringBuilder(ConnectionString).DataSource;
            }
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"{builder.Host}:{builder.Port}/{builder.Database} as {builder.Username}";
        }
    }

    static string SqliteConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(path),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        // Seconds a statement waits for another connection's write lock before failing.
        DefaultTimeout = 30,
    }.ToString();
}
