using AzFuse.IO;

namespace AzFuse.Cache;

/// <summary>The last step of every fill: a complete, flushed file is renamed into its cache path, with its record.</summary>
internal static class CacheCommit
{
    /// <summary>
    /// Renames <paramref name="completeFile"/> to <paramref name="cachePath"/> without replacing an
    /// existing file and without a lock: if another fill or a write got there first, its file stays
    /// and ours is dropped. Readers therefore see no file or a whole one. For mappings that keep
    /// no records (no <c>revalidate_after</c>), where a batch of a million files should not cost a
    /// million lock files.
    /// </summary>
    /// <returns><see langword="false"/> when the cache path was already filled.</returns>
    public static bool MoveIntoPlace(string completeFile, string cacheRoot, string cachePath)
    {
        for (var attempt = 1; ; attempt++)
        {
            ContainedFolders.Create(cacheRoot, Path.GetDirectoryName(cachePath)!);
            try
            {
                File.Move(completeFile, cachePath, overwrite: false);
                return true;
            }
            catch (DirectoryNotFoundException) when (attempt < 100)
            {
                // The emptied folder was removed by a ClearCache meanwhile: create it again.
            }
            catch (IOException) when (NativeFiles.StatusOf(cachePath) is { } there)
            {
                // Filled meanwhile: that copy stands. A link there is not a cached copy: replaced
                // (the link itself, never its target) under the file's lock, as an Open would.
                if (there.Kind == FileKind.Link && ReplaceLink(completeFile, cacheRoot, cachePath))
                {
                    return true;
                }

                DeleteQuietly(completeFile);
                return false;
            }
            catch (IOException) when (attempt < 100 && File.Exists(completeFile))
            {
                // The path was taken when the rename looked and is free again: another process's
                // copy was placed and then evicted (or cleared) in between. Two processes streaming
                // one file through a bounded block cache hit this. Try again; an error that is not
                // about the path comes back every time and is thrown after the last attempt.
            }
        }
    }

    private static bool ReplaceLink(string completeFile, string cacheRoot, string cachePath)
    {
        using var fillLock = FillLock.TryAcquireCreating(cacheRoot, cachePath);
        if (fillLock is null || NativeFiles.StatusOf(cachePath) is not { Kind: FileKind.Link })
        {
            return false;
        }

        File.Move(completeFile, cachePath, overwrite: true);
        return true;
    }

    /// <summary>
    /// Puts a complete, flushed download at <paramref name="cachePath"/> with its record, replacing
    /// what was there. The caller holds the file's fill lock. The old record goes first, so a crash
    /// midway leaves a file without a record (checked again when next due), never a record that
    /// vouches for other content.
    /// </summary>
    /// <returns>The length of the file replaced; 0 when there was none.</returns>
    /// <remarks><paramref name="record"/> is <see langword="null"/> for mappings that do not revalidate: they keep none.</remarks>
    public static long Replace(string completeFile, string cachePath, CacheRecord? record)
    {
        var old = new FileInfo(cachePath);
        var replaced = old.Exists ? old.Length : 0;
        CacheRecords.Delete(cachePath);
        File.Move(completeFile, cachePath, overwrite: true);
        if (record is not null)
        {
            CacheRecords.Write(cachePath, record);
        }

        return replaced;
    }

    /// <summary>
    /// After a cached write's upload is confirmed: its record stops saying "not uploaded", so the
    /// file can be evicted and revalidated like any other. Only if the record still names that write
    /// (a newer write keeps its own), and only if the lock is free at once: a holder is committing a
    /// newer write or filling the file, and leaves a record of its own.
    /// </summary>
    public static void MarkUploaded(string cacheRoot, string cachePath, Guid writeToken, DateTimeOffset now)
    {
        // No record, no lock: a record naming this write could only have been written by its
        // commit, which is over (mappings that neither revalidate nor bound the cache keep none).
        if (writeToken == Guid.Empty || !File.Exists(CacheFileNames.RecordPath(cachePath)) || !CacheFileNames.IsCachedFile(cachePath))
        {
            return;
        }

        using var fillLock = FillLock.TryAcquireExisting(cacheRoot, cachePath);
        if (fillLock is not null && CacheRecords.Read(cachePath) is { PendingWrite: { } token } record && token == writeToken)
        {
            CacheRecords.Write(cachePath, record with { PendingWrite = null, CheckedAt = now });
        }
    }

    // A file that cannot be deleted is left for the next fill of the same file, which overwrites it.
    public static void DeleteQuietly(string path) => FileCleanup.DeleteQuietly(path);
}
