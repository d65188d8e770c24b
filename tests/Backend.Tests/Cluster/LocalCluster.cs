using System.Diagnostics;
using System.Globalization;
using Segmentation.Tests;

namespace Backend.Tests.Cluster;

/// <summary>
/// <c>deploy/local-cluster.sh</c> as a newcomer starts it: a private PostgreSQL, silos and client-only gateways, each its
/// own process on loopback, in a temporary folder. Disposing stops the script (which stops everything it started).
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    readonly Process script;
    readonly string folder;
    readonly StringWriter output = new();

    LocalCluster(Process script, string folder, Uri gateway, int postgresPort)
    {
        this.script = script;
        this.folder = folder;
        Gateway = gateway;
        PostgresPort = postgresPort;
    }

    /// <summary>The private PostgreSQL's port (the script puts it 1000 above the first gateway's).</summary>
    public int PostgresPort { get; }

    /// <summary>The first gateway's address.</summary>
    public Uri Gateway { get; }

    /// <summary>Membership settings that declare a killed silo dead within seconds (Orleans' defaults take tens of seconds).</summary>
    public static readonly string[] FastMembership =
    [
        "--Orleans:Membership:ProbeTimeout", "00:00:01", "--Orleans:Membership:NumMissedProbesLimit", "2",
        "--Orleans:Membership:TableRefreshTimeout", "00:00:02", "--Orleans:Membership:IAmAliveTablePublishTimeout", "00:00:05",
    ];

    /// <param name="restartAfter">With a value, the script starts a silo that exits again after this many seconds.</param>
    /// <param name="modelSilos">With a value, only these silos (1-based) run models.</param>
    public static async Task<LocalCluster> Start(
        int silos, int gateways, TimeSpan timeout, IReadOnlyList<string>? extra = null, int? restartAfter = null, IReadOnlyList<int>? modelSilos = null)
    {
        var folder = Directory.CreateTempSubdirectory("annotation-cluster-").FullName;
        // Below the ephemeral range, so no client socket of another test takes one of the fixed offsets meanwhile.
        var port = FreeRun(gateways, alsoFree: 1000);
        var orleansPorts = FreeRun(2 * silos);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] arguments =
        [
            Path.Combine(TestData.RepoRoot, "deploy", "local-cluster.sh"),
            "--silos", silos.ToString(), "--gateways", gateways.ToString(), "--port", port.ToString(),
            "--orleans-ports", orleansPorts.ToString(), "--data", folder,
            "--image-roots", TestGatewaySettings.ImageRoots, "--admin-password", TestGatewaySettings.AdminPassword,
            .. restartAfter is { } seconds ? ["--restart", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)] : Array.Empty<string>(),
            .. modelSilos is { } list ? ["--model-silos", string.Join(',', list)] : Array.Empty<string>(),
            "--", .. TestGatewaySettings.Arguments, .. FastMembership, "--Inference:BackgroundSlots", "1", .. extra ?? [],
        ];
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("The cluster script did not start.");
        var cluster = new LocalCluster(process, folder, new Uri($"http://127.0.0.1:{port}"), port + 1000) { OrleansPorts = orleansPorts };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            cluster.Append(e.Data);
            if (e.Data == "ready") ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => cluster.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(timeout));
        if (first == ready.Task) return cluster;
        var reason = first == exited ? $"The cluster script exited with code {process.ExitCode}" : $"The cluster was not ready within {timeout}";
        var log = cluster.Log;
        await cluster.DisposeAsync();
        throw new InvalidOperationException($"{reason}:\n{log}");
    }

    /// <summary>The first of <paramref name="count"/> consecutive free loopback ports (and the one <paramref name="alsoFree"/> above the first).</summary>
    static int FreeRun(int count, int? alsoFree = null)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20_000, 31_000);
            var ports = Enumerable.Range(first, count).Concat(alsoFree is { } offset ? [first + offset] : []);
            if (ports.All(IsFree)) return first;
        }
        throw new InvalidOperationException("No run of free loopback ports found.");
    }

    static bool IsFree(int port)
    {
        try
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.WriteLine(line);
    }

    /// <summary>What the script printed, then every process's log.</summary>
    public string Log
    {
        get
        {
            string printed;
            lock (output) printed = output.ToString();
            var logs = Directory.Exists(folder)
                ? Directory.GetFiles(folder, "*.log").Order().Select(f => $"--- {Path.GetFileName(f)}\n{ReadShared(f)}")
                : [];
            return string.Join("\n", [printed, .. logs]);
        }
    }

    static string ReadShared(string path, int last = 20_000)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        return text.Length > last ? text[^last..] : text;
    }

    /// <summary>
    /// Every error and fatal entry (with its exception) in the processes' logs but the expected 503 answers, per log, at most <paramref name="perLog"/>
    /// entries each: what a failed fault test shows so that its cause can be read without the folder, which is deleted.
    /// </summary>
    public string Errors(int perLog = 6)
    {
        if (!Directory.Exists(folder)) return "";
        var report = new System.Text.StringBuilder();
        foreach (var file in Directory.GetFiles(folder, "*.log").Order())
        {
            var entries = new List<string>();
            System.Text.StringBuilder? entry = null;
            foreach (var line in ReadShared(file, int.MaxValue).Split('\n'))
            {
                var starts = line.StartsWith('[');
                if (starts && entry is not null) { entries.Add(entry.ToString()); entry = null; }
                if (starts && (line.Contains(" ERR]", StringComparison.Ordinal) || line.Contains(" FTL]", StringComparison.Ordinal))
                    && !line.Contains(" responded 503 ", StringComparison.Ordinal))
                    entry = new(line);
                else if (!starts && entry is not null && entry.Length < 4000) entry.Append('\n').Append(line);
            }
            if (entry is not null) entries.Add(entry.ToString());
            if (entries.Count == 0) continue;
            report.Append(CultureInfo.InvariantCulture, $"--- {Path.GetFileName(file)}: {entries.Count} errors, the first {Math.Min(perLog, entries.Count)}:\n");
            foreach (var e in entries.Take(perLog)) report.Append(e).Append('\n');
        }
        return report.ToString();
    }

    /// <summary>The log of silo <paramref name="index"/> (1-based) so far.</summary>
    public string SiloLog(int index) => ReadShared(Path.Combine(folder, $"silo-{index}.log"));

    /// <summary>The membership table's silos: port and status name (Active, Dead, ...).</summary>
    public async Task<IReadOnlyList<(int Port, string Status)>> Silos()
    {
        await using var connection = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={PostgresPort};Username=postgres;Database=annotation");
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT port, status FROM orleansmembershiptable ORDER BY port", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var silos = new List<(int, string)>();
        while (await reader.ReadAsync()) silos.Add((reader.GetInt32(0), ((Orleans.Runtime.SiloStatus)reader.GetInt32(1)).ToString()));
        return silos;
    }

    /// <summary>The membership rows of the silo on <paramref name="port"/>, one per start: generation and status, oldest first.</summary>
    public async Task<IReadOnlyList<(int Generation, string Status)>> Incarnations(int port)
    {
        await using var connection = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={PostgresPort};Username=postgres;Database=annotation");
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT generation, status FROM orleansmembershiptable WHERE port = @port ORDER BY generation", connection);
        command.Parameters.AddWithValue("port", port);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int, string)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt32(0), ((Orleans.Runtime.SiloStatus)reader.GetInt32(1)).ToString()));
        return rows;
    }

    /// <summary>The silo-to-silo port of silo <paramref name="index"/> (1-based), as the script assigns it.</summary>
    public int SiloPort(int index) => OrleansPorts + 2 * (index - 1);

    /// <summary>The first silo port the script was given.</summary>
    public int OrleansPorts { get; private init; }

    /// <summary>Kills silo <paramref name="index"/> (1-based) at once: SIGKILL, no shutdown code runs.</summary>
    public void KillSilo(int index) => Kill($"silo-{index}.pid");

    /// <summary>
    /// Waits until silo <paramref name="index"/> runs again (started by the script's restart loop) after it had
    /// <paramref name="incarnationsBefore"/> rows: a newer row is Active and every older one Dead.
    /// </summary>
    public async Task WaitUntilRestarted(int index, int incarnationsBefore, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var rows = await Incarnations(SiloPort(index));
            if (rows.Count > incarnationsBefore && rows[^1].Status == "Active" && rows.SkipLast(1).All(r => r.Status == "Dead")) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Silo {index} was not running again within {timeout}: {string.Join(", ", rows)}\n{Log}");
            await Task.Delay(200);
        }
    }

    /// <summary>Stops the private PostgreSQL (fast shutdown: open connections are cut).</summary>
    public Task StopPostgres() => Postgres($"pg_stop \"$1\"");

    /// <summary>Starts the private PostgreSQL again after <see cref="StopPostgres"/>.</summary>
    public Task ResumePostgres() => Postgres($"pg_resume \"$1\" {PostgresPort}");

    async Task Postgres(string command)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-c", $"source \"{Path.Combine(TestData.RepoRoot, "deploy", "private-postgres.sh")}\" && {command}", "postgres", folder })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"'{command}' failed with code {process.ExitCode}: {await error}");
    }

    /// <summary>Kills gateway <paramref name="index"/> (1-based) at once.</summary>
    public void KillGateway(int index) => Kill($"gateway-{index}.pid");

    /// <summary>The address of gateway <paramref name="index"/> (1-based).</summary>
    public Uri GatewayAddress(int index) => new($"http://127.0.0.1:{Gateway.Port + index - 1}");

    void Kill(string pidFile)
    {
        var pid = int.Parse(File.ReadAllText(Path.Combine(folder, pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.GetProcessById(pid);
        process.Kill();
        process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (!script.HasExited)
        {
            // SIGTERM: the script's trap stops the silos, the gateways and PostgreSQL.
            using (var term = Process.Start("kill", ["-TERM", script.Id.ToString()])) await term.WaitForExitAsync();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await script.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                script.Kill(entireProcessTree: true);
            }
        }
        script.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}
