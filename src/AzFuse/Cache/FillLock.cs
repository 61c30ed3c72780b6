using AzFuse.IO;

namespace AzFuse.Cache;

/// <summary>
/// The per-file lock (<c>.NAME.azfuse-lock</c> beside the cache file) that fills, revalidations,
/// write commits and evictions hold while they change a cache file. Taking it for a change first
/// creates the file's folder inside the cache root (never through a link), and does so again if a
/// ClearCache removed the emptied folder in between; once the lock file exists, the folder cannot
/// be removed (only empty folders are).
/// </summary>
internal static class FillLock
{
    private const int Attempts = 100;

    /// <summary>Waits for the lock of <paramref name="cachePath"/>, creating its folder first.</summary>
    /// <exception cref="IOException">A folder on the way is a link (see <see cref="ContainedFolders"/>).</exception>
    public static async ValueTask<FileLock> AcquireAsync(string cacheRoot, string cachePath, string description, TimeSpan timeout, TimeProvider time, bool async, CancellationToken cancellationToken) =>
        (await AcquireUnlessAsync(cacheRoot, cachePath, description, unless: null, timeout, time, async, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// Waits for the lock of <paramref name="cachePath"/> as <see cref="AcquireAsync"/>, but
    /// returns <see langword="null"/> as soon as <paramref name="unless"/> says it is not needed
    /// (the file arrived meanwhile): waiting for other processes' fetches then creates and deletes
    /// no lock file per file, which on ext4 makes every later file creation slower.
    /// </summary>
    public static async ValueTask<FileLock?> AcquireUnlessAsync(string cacheRoot, string cachePath, string description, Func<bool>? unless, TimeSpan timeout, TimeProvider time, bool async, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            ContainedFolders.Create(cacheRoot, Path.GetDirectoryName(cachePath)!);
            try
            {
                return await FileLock.AcquireUnlessAsync(CacheFileNames.LockPath(cachePath), unless, timeout, description, async, time, cancellationToken).ConfigureAwait(false);
            }
            catch (DirectoryNotFoundException) when (attempt < Attempts)
            {
                // Removed by a ClearCache between the two steps: create it again.
            }
        }
    }

    /// <summary>Takes the lock of <paramref name="cachePath"/> if it is free, creating its folder first; <see langword="null"/> when held.</summary>
    public static FileLock? TryAcquireCreating(string cacheRoot, string cachePath)
    {
        for (var attempt = 1; ; attempt++)
        {
            ContainedFolders.Create(cacheRoot, Path.GetDirectoryName(cachePath)!);
            try
            {
                return FileLock.TryAcquire(CacheFileNames.LockPath(cachePath));
            }
            catch (DirectoryNotFoundException) when (attempt < Attempts)
            {
            }
        }
    }

    /// <summary>
    /// Takes the lock of an existing cache file if it is free, creating nothing: <see langword="null"/>
    /// when held or when its folder is gone (and the file with it).
    /// </summary>
    public static FileLock? TryAcquireExisting(string cachePath)
    {
        try
        {
            return FileLock.TryAcquire(CacheFileNames.LockPath(cachePath));
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }
}
