using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Hosting;
using Npgsql;

namespace Backend.Tests.Storage;

/// <summary>
/// A private PostgreSQL cluster for the tests: initdb in a temporary folder, listening on 127.0.0.1
/// only (unix socket inside the folder), one database with the project's scripts applied twice.
/// Uses the Debian binaries under /usr/lib/postgresql/VERSION/bin; when run as root, the server
/// runs as the <c>postgres</c> user (initdb refuses root). Missing binaries fail the tests.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    string? root;
    string? binaries;
    bool started;
    int port;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        binaries = FindBinaries();
        root = Directory.CreateTempSubdirectory("annotation-pg-").FullName;
        var data = Path.Combine(root, "data");
        var sockets = Path.Combine(root, "sockets");
        Directory.CreateDirectory(sockets);
        var asRoot = GetUid() == 0;
        if (asRoot)
        {
            await Run("chown", ["-R", "postgres:postgres", root]);
        }

        await RunPostgres(asRoot, "initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
        port = FreePort();
        await Start();

        var admin = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE annotation", connection);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=annotation";

        // Twice: the scripts must be safe to re-apply.
        SchemaInstaller.ApplyPostgres(ConnectionString);
        SchemaInstaller.ApplyPostgres(ConnectionString);
    }

    /// <summary>Starts the server (again) on its port.</summary>
    public async Task Start()
    {
        var sockets = Path.Combine(root!, "sockets");
        await RunPostgres(GetUid() == 0, "pg_ctl",
        [
            "-D", Path.Combine(root!, "data"), "-l", Path.Combine(root!, "server.log"), "-w", "-t", "60",
            "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off -c full_page_writes=off",
            "start",
        ]);
        started = true;
    }

    /// <summary>Stops the server at once (clients' connections are cut), as an outage would.</summary>
    public async Task Stop()
    {
        await RunPostgres(GetUid() == 0, "pg_ctl", ["-D", Path.Combine(root!, "data"), "-m", "immediate", "-w", "stop"]);
        started = false;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (started && root is not null)
        {
            var asRoot = GetUid() == 0;
            await RunPostgres(asRoot, "pg_ctl", ["-D", Path.Combine(root, "data"), "-m", "fast", "-w", "stop"]);
        }
        if (root is not null && Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
                .ToList()
            : [];
        return candidates.FirstOrDefault() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb and pg_ctl). " +
            "Install the Debian package 'postgresql' (scripts/setup.sh does it) to run the PostgreSQL storage tests.");
    }

    Task RunPostgres(bool asRoot, string tool, string[] arguments)
    {
        var path = Path.Combine(binaries!, tool);
        return asRoot
            ? Run("runuser", ["-u", "postgres", "--", path, .. arguments])
            : Run(path, arguments);
    }

    static async Task Run(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server inherits nothing that could point it elsewhere.
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        // pg_ctl start leaves the server holding the pipes: read to the process's exit only.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var text = await Task.WhenAny(Task.WhenAll(output, error), Task.Delay(2000)) is Task<string[]> both
                ? string.Join("\n", both.Result) : "";
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {text}");
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static uint GetUid() => Environment.UserName == "root" ? 0u : 1u;
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
