namespace Segmentation.Tests.CropContract;

/// <summary>
/// Locates the DAVIS-345 dev set at ../shared/datasets/davis345 relative to the repository root (the
/// folder holding Actors.sln, found by walking up from the test binaries). When the repository is a
/// linked git worktree, the same relative path from the main checkout is also tried.
/// </summary>
internal static class DevSet
{
    private const string Relative = "../shared/datasets/davis345";

    public static string Root => LazyRoot.Value;

    public static string ImagePath(int index) => RequireFile(Path.Combine(Root, "img", $"{index:D3}.jpg"));
    public static string MaskPath(int index) => RequireFile(Path.Combine(Root, "gt", $"{index:D3}.png"));

    private static readonly Lazy<string> LazyRoot = new(Locate);

    private static string Locate()
    {
        var repo = FindRepositoryRoot()
            ?? throw new InvalidOperationException(
                $"Cannot find the repository root (a folder containing Actors.sln) above {AppContext.BaseDirectory}.");
        var tried = new List<string>();
        foreach (var checkout in CheckoutRoots(repo))
        {
            var candidate = Path.GetFullPath(Path.Combine(checkout, Relative));
            tried.Add(candidate);
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException(
            $"The DAVIS-345 dev set is missing: expected it at {Relative} relative to the repository root. Tried: {string.Join("; ", tried)}.");
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln"))) return dir.FullName;
        return null;
    }

    // The repository root itself, then (for a linked worktree, whose .git is a file "gitdir: <path>")
    // the main checkout that owns the shared git directory.
    private static IEnumerable<string> CheckoutRoots(string repo)
    {
        yield return repo;
        var dotGit = Path.Combine(repo, ".git");
        if (!File.Exists(dotGit)) yield break;
        var line = File.ReadAllText(dotGit).Trim();
        if (!line.StartsWith("gitdir:", StringComparison.Ordinal)) yield break;
        var gitDir = Path.GetFullPath(line["gitdir:".Length..].Trim(), repo);
        var commonDirFile = Path.Combine(gitDir, "commondir");
        var commonDir = File.Exists(commonDirFile)
            ? Path.GetFullPath(File.ReadAllText(commonDirFile).Trim(), gitDir)
            : gitDir;
        var main = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(commonDir));
        if (main is not null && !string.Equals(main, repo, StringComparison.Ordinal)) yield return main;
    }

    private static string RequireFile(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Dev-set file is missing: {path}", path);
}
