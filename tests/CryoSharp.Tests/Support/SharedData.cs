namespace CryoSharp.Tests.Support;

/// <summary>
/// Finds the project's reference data in <c>../shared/data</c> beside the checkout (or <c>CRYOSHARP_SHARED_DATA</c>).
/// Tests that need it call <see cref="Require"/>: where the data is absent they are skipped with the reason shown,
/// except under <c>CI=true</c>, where the data always exists and its absence is a failure.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(Locate);

    /// <summary>The repository root (the folder holding CryoSharp.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The full path of a file under the shared data folder; skips or fails when the folder is missing.</summary>
    public static string Require(string relativePath)
    {
        var root = Root.Value;
        if (root is null)
        {
            const string reason = "../shared/data is not beside this checkout (set CRYOSHARP_SHARED_DATA to run these tests)";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"CI=true but {reason}.");
            }

            Skip.If(true, reason);
        }

        var path = Path.Combine(root!, relativePath);
        Assert.True(File.Exists(path), $"Shared data file {path} is missing.");
        return path;
    }

    private static string? Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("CRYOSHARP_SHARED_DATA");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }

        var candidate = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));
        return Directory.Exists(candidate) ? candidate : null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CryoSharp.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (CryoSharp.sln) above the test binaries.");
    }
}
