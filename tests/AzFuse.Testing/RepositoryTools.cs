namespace AzFuse.Testing;

/// <summary>
/// The tools that ./bootstrap.sh installs into the repository's node_modules: the real Azurite
/// emulator and the real azcopy binary.
/// </summary>
public static class RepositoryTools
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The repository's root folder (the one holding AzFuse.sln).</summary>
    public static string Root => s_root.Value;

    /// <summary>The azcopy binary from npm's @azure-tools/azcopy-linux.</summary>
    public static string AzCopy => Require(Path.Combine(Root, "node_modules", "@azure-tools", "azcopy-linux", "dist", "bin", "azcopy_linux_amd64"));

    /// <summary>The Azurite blob service launcher from npm's azurite.</summary>
    public static string AzuriteBlob => Require(Path.Combine(Root, "node_modules", ".bin", "azurite-blob"));

    private static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"'{path}' is missing. Run ./bootstrap.sh in {Root} first: it installs Azurite and azcopy from the npm lock file.", path);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AzFuse.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No AzFuse.sln above '{AppContext.BaseDirectory}'.");
    }
}
