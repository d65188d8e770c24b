using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hosting;

/// <summary>
/// Applies the project's schema scripts (the files under <c>deploy/</c>, embedded in this assembly):
/// tables are created when missing and the statements Orleans runs are inserted or refreshed in
/// <c>OrleansQuery</c>. Applying them again is harmless.
/// </summary>
public static class SchemaInstaller
{
    /// <summary>PostgreSQL scripts, in the order they must run.</summary>
    public static IReadOnlyList<string> PostgresScripts { get; } =
        ["01-main.sql", "02-persistence.sql", "03-clustering.sql", "04-reminders.sql", CampaignTablesScript];

    /// <summary>SQLite's grain-state script; the campaign tables follow, made from the PostgreSQL script (<see cref="ToSqlite"/>).</summary>
    public const string SqlitePersistenceScript = "persistence.sql";

    public const string CampaignTablesScript = "05-campaign-tables.sql";

    /// <summary>Any fixed number: concurrent starters take this lock so only one creates the tables.</summary>
    const long PostgresSchemaLock = 0x616e6e6f74; // "annot"

    public static string ReadScript(StorageKind kind, string name)
    {
        var folder = kind == StorageKind.Sqlite ? "sqlite" : "postgresql";
        using var stream = typeof(SchemaInstaller).Assembly.GetManifestResourceStream($"schema/{folder}/{name}")
            ?? throw new InvalidOperationException($"Schema script {folder}/{name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The campaign tables' PostgreSQL script with SQLite's column types, so the two databases cannot drift apart: the
    /// script uses only statements both understand and PostgreSQL's type names, which SQLite maps to its storage classes.
    /// </summary>
    public static string ToSqlite(string postgresScript)
    {
        var script = Regex.Replace(postgresScript, @"\bdouble precision\b", "REAL");
        script = Regex.Replace(script, @"\b(bigint|integer|smallint)\b", "INTEGER");
        return Regex.Replace(script, @"\bbytea\b", "BLOB");
    }

    public static void Apply(StorageSettings settings)
    {
        if (settings.Kind == StorageKind.Sqlite)
        {
            ApplySqlite(settings.ConnectionString);
        }
        else
        {
            ApplyPostgres(settings.ConnectionString);
        }
    }

    public static void ApplySqlite(string connectionString)
    {
        var path = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (Path.GetDirectoryName(path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using (var wal = connection.CreateCommand())
        {
            // Write-ahead logging lets readers run beside the writer; the setting is kept in the file.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }
        using var transaction = connection.BeginTransaction();
        foreach (var script in new[] { ReadScript(StorageKind.Sqlite, SqlitePersistenceScript), ToSqlite(ReadScript(StorageKind.Postgres, CampaignTablesScript)) })
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = script;
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    public static void ApplyPostgres(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgresSchemaLock});", connection, transaction))
        {
            lockCommand.ExecuteNonQuery();
        }
        foreach (var script in PostgresScripts)
        {
            using var command = new NpgsqlCommand(ReadScript(StorageKind.Postgres, script), connection, transaction);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }
}
