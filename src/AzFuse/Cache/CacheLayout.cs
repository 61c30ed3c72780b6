namespace AzFuse.Cache;

/// <summary>
/// Where AzFuse keeps its own state under a cache root. It lives inside the root so that a
/// staged file is renamed into place on the same file system, which is what makes the rename
/// atomic; logical paths may not name this folder.
/// </summary>
internal static class CacheLayout
{
    public const string WorkFolderName = ".azfuse";

    /// <summary>Batch downloads land here, one folder per job, before each file is renamed into the cache.</summary>
    public static string StagingFolder(string cacheRoot) => Path.Combine(cacheRoot, WorkFolderName, "staging");

    /// <summary>azcopy's job plans and logs, one folder per run (never under the user's home).</summary>
    public static string AzCopyFolder(string cacheRoot) => Path.Combine(cacheRoot, WorkFolderName, "azcopy");
}
