namespace AzFuse.Cache;

/// <summary>The last step of every fill: a complete, flushed file is renamed into its cache path.</summary>
internal static class CacheCommit
{
    /// <summary>
    /// Renames <paramref name="completeFile"/> to <paramref name="cachePath"/> without replacing an
    /// existing file: if another fill (a concurrent Prepare, another process) got there first, its
    /// equally whole copy stays and ours is dropped. Readers therefore see no file or a whole one.
    /// </summary>
    /// <returns><see langword="false"/> when the cache path was already filled.</returns>
    public static bool MoveIntoPlace(string completeFile, string cachePath)
    {
        try
        {
            File.Move(completeFile, cachePath, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(cachePath))
        {
            DeleteQuietly(completeFile);
            return false;
        }
    }

    public static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next fill of the same file, which overwrites it.
        }
    }
}
