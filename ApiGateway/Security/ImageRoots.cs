namespace ApiGateway.Security;

/// <summary>
/// The folders campaign images may come from (<c>--image-roots</c>, separated by the platform's path separator;
/// default DATA/images). A campaign's image root must lie inside one of them once every link is followed.
/// </summary>
public sealed class ImageRoots(IReadOnlyList<string> roots)
{
    public const string Setting = "image-roots";
    const int MaxLinkDepth = 40;

    public IReadOnlyList<string> Roots { get; } = roots;

    public static ImageRoots FromConfiguration(IConfiguration configuration, string dataFolder)
    {
        var configured = configuration[Setting];
        var roots = string.IsNullOrWhiteSpace(configured)
            ? [Path.Combine(dataFolder, "images")]
            : configured.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var root in roots) Directory.CreateDirectory(root);
        return new ImageRoots(roots.Select(r => RealPath(Path.GetFullPath(r))).ToArray());
    }

    /// <summary>The real path of <paramref name="folder"/> when it lies in an allowed root, else null (also when it cannot be resolved).</summary>
    public string? Admit(string folder)
    {
        try
        {
            var real = RealPath(Path.GetFullPath(folder));
            return Roots.Any(root => IsInside(real, root)) ? real : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Whether a folder admitted before still lies in an allowed root.</summary>
    public bool Contains(string folder) => Admit(folder) is not null;

    public static bool IsInside(string path, string root)
    {
        if (path == root) return true;
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal);
    }

    /// <summary>The absolute path with every symbolic link on the way replaced by its target.</summary>
    public static string RealPath(string fullPath, int depth = 0)
    {
        if (depth > MaxLinkDepth) throw new IOException($"Too many levels of links under {fullPath}.");
        var root = Path.GetPathRoot(fullPath)!;
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.LinkTarget is null) continue;
            var target = info.LinkTarget;
            var resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(Path.GetDirectoryName(current)!, target));
            current = RealPath(resolved, depth + 1);
        }
        return current;
    }
}
