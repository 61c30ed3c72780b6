namespace AzFuse.IO;

/// <summary>Removing files that are only in the way: a failure to delete one is never the caller's failure.</summary>
internal static class FileCleanup
{
    /// <summary>Deletes <paramref name="path"/> if it can; a file that cannot be deleted (or is gone) is left to whoever meets it next.</summary>
    public static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Each caller says who removes it later.
        }
    }
}
