namespace Segmentation.Tests;

/// <summary>
/// Locates the repository and the shared DAVIS-345 dev set (<c>../shared/datasets/davis345</c> next to the
/// repository root: <c>img/NNN.jpg</c> and <c>gt/NNN.png</c>). Tests that need the data fail with a clear
/// message when it is missing rather than being skipped.
/// </summary>
public static class TestData
{
    /// <summary>Overrides the dataset location when set.</summary>
    public const string DavisEnvironmentVariable = "SEGMENTATION_DAVIS_DIR";

    private static readonly Lazy<string> RepoRootLazy = new(FindRepoRoot);
    private static readonly Lazy<string> DavisLazy = new(FindDavis);

    /// <summary>The directory holding Actors.sln, found by walking up from the test binaries.</summary>
    public static string RepoRoot => RepoRootLazy.Value;

    /// <summary>The DAVIS-345 directory (containing img/ and gt/).</summary>
    public static string DavisDirectory => DavisLazy.Value;

    /// <summary>Path of image <paramref name="index"/> (e.g. 0 -> img/000.jpg); fails if the file is missing.</summary>
    public static string DavisImage(int index) => RequireFile(Path.Combine(DavisDirectory, "img", $"{index:D3}.jpg"));

    /// <summary>Path of the ground-truth mask <paramref name="index"/> (e.g. 0 -> gt/000.png); fails if the file is missing.</summary>
    public static string DavisMask(int index) => RequireFile(Path.Combine(DavisDirectory, "gt", $"{index:D3}.png"));

    private static string RequireFile(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"DAVIS-345 file is missing: {path}", path);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"Could not find Actors.sln in {AppContext.BaseDirectory} or any parent directory.");
    }

    private static string FindDavis()
    {
        var tried = new List<string>();
        var fromEnvironment = Environment.GetEnvironmentVariable(DavisEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            tried.Add(Path.GetFullPath(fromEnvironment)); // an explicit location is the only one tried
        }
        else
        {
            tried.Add(DavisNextTo(RepoRoot));
            // A linked git worktree finds the shared data next to the main working tree.
            var mainWorkTree = MainWorkTree(RepoRoot);
            if (mainWorkTree is not null) tried.Add(DavisNextTo(mainWorkTree));
        }

        foreach (var candidate in tried)
            if (Directory.Exists(Path.Combine(candidate, "img")) && Directory.Exists(Path.Combine(candidate, "gt")))
                return candidate;
        throw new DirectoryNotFoundException(
            "The DAVIS-345 dev set (img/NNN.jpg, gt/NNN.png) was not found. Looked in: " + string.Join(", ", tried) +
            $". Put it at ../shared/datasets/davis345 relative to the repository root or set {DavisEnvironmentVariable}.");
    }

    private static string DavisNextTo(string root) =>
        Path.GetFullPath(Path.Combine(root, "..", "shared", "datasets", "davis345"));

    /// <summary>For a linked worktree (whose .git is a file), the main working tree; otherwise null.</summary>
    private static string? MainWorkTree(string root)
    {
        var gitFile = Path.Combine(root, ".git");
        if (!File.Exists(gitFile)) return null;
        var line = File.ReadLines(gitFile).FirstOrDefault(l => l.StartsWith("gitdir:", StringComparison.Ordinal));
        if (line is null) return null;
        var gitDir = Path.GetFullPath(Path.Combine(root, line["gitdir:".Length..].Trim()));
        var commonDirFile = Path.Combine(gitDir, "commondir");
        var commonDir = File.Exists(commonDirFile)
            ? Path.GetFullPath(Path.Combine(gitDir, File.ReadAllText(commonDirFile).Trim()))
            : gitDir;
        return Path.GetDirectoryName(commonDir.TrimEnd(Path.DirectorySeparatorChar));
    }
}
