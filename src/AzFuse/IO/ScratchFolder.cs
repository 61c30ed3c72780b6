namespace AzFuse.IO;

/// <summary>
/// A private folder for one operation (a batch download's staging area, one azcopy run's plans
/// and logs), owned through a lock file beside it (<c>.NAME.lock</c>: a leading '.' keeps the Python
/// tool's garbage collector from deleting it in a shared cache). While the owner lives, the lock is
/// held; once it is gone, even by <c>kill -9</c>, the next <see cref="Create"/> in the same parent prunes it.
/// </summary>
internal sealed class ScratchFolder : IDisposable
{
    private readonly FileLock _owner;
    private bool _keep;

    private ScratchFolder(string path, FileLock owner)
    {
        Path = path;
        _owner = owner;
    }

    public string Path { get; }

    /// <summary>
    /// Creates a new folder under <paramref name="parent"/>, first pruning folders whose owners are
    /// gone and that are older than <paramref name="keepAbandonedFor"/>.
    /// </summary>
    /// <param name="parent">One of AzFuse's own folders, <c>ROOT/.azfuse/NAME</c>: it is created as a real folder inside ROOT (never through a link).</param>
    /// <param name="keepAbandonedFor">How long an abandoned folder is kept (azcopy's logs of a failed run).</param>
    /// <param name="time">The clock.</param>
    public static ScratchFolder Create(string parent, TimeSpan keepAbandonedFor, TimeProvider time)
    {
        ContainedFolders.Create(System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(parent))!, parent);
        Prune(parent, keepAbandonedFor, time);

        var name = $"{time.GetUtcNow():yyyyMMddTHHmmss}-{Guid.NewGuid():N}";
        var path = System.IO.Path.Combine(parent, name);

        // The lock exists before the folder, so a pruner never sees an unowned live folder.
        var owner = FileLock.TryAcquire(LockPathOf(path)) ?? throw new IOException($"Could not lock new scratch folder '{path}'.");
        Directory.CreateDirectory(path);
        return new ScratchFolder(path, owner);
    }

    /// <summary>
    /// Deletes the folders under <paramref name="parent"/> whose owners are gone, without creating
    /// one: for a parent where no new folder may be made for a long time.
    /// </summary>
    public static void PruneAbandoned(string parent) => PruneAbandoned(parent, TimeSpan.Zero, TimeProvider.System);

    /// <inheritdoc cref="PruneAbandoned(string)"/>
    /// <param name="parent">The folder whose abandoned folders go.</param>
    /// <param name="keepAbandonedFor">How long an abandoned folder is kept.</param>
    /// <param name="time">The clock.</param>
    public static void PruneAbandoned(string parent, TimeSpan keepAbandonedFor, TimeProvider time)
    {
        if (NativeFiles.StatusOf(parent) is { Kind: FileKind.Directory })
        {
            Prune(parent, keepAbandonedFor, time);
        }
    }

    /// <summary>Leaves the folder in place when disposed (for example, azcopy's logs after a failure).</summary>
    public void Keep() => _keep = true;

    public void Dispose()
    {
        if (!_keep)
        {
            DeleteQuietly(Path, _owner.Path);
        }

        _owner.Dispose();
    }

    private static void Prune(string parent, TimeSpan keepAbandonedFor, TimeProvider time)
    {
        foreach (var folder in Directory.EnumerateDirectories(parent))
        {
            // Never through a link: what it points at is not ours.
            if (NativeFiles.StatusOf(folder) is not { Kind: FileKind.Directory })
            {
                continue;
            }

            if (time.GetUtcNow() - Directory.GetLastWriteTimeUtc(folder) < keepAbandonedFor)
            {
                continue;
            }

            // An owner of an earlier version holds the lock under the old name (NAME.lock): both
            // must be free. Either lock file, made here to take it, goes when released.
            var lockPath = LockPathOf(folder);
            using var owner = FileLock.TryAcquire(lockPath);
            using var legacyOwner = owner is null ? null : FileLock.TryAcquire(folder + ".lock");
            if (legacyOwner is not null)
            {
                DeleteQuietly(folder, lockPath);
            }
        }
    }

    /// <summary>The lock file of the folder at <paramref name="path"/>: beside it, named with a leading '.'.</summary>
    private static string LockPathOf(string path) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, "." + System.IO.Path.GetFileName(path) + ".lock");

    private static void DeleteQuietly(string folder, string lockPath)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
            File.Delete(lockPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A later prune retries; a leftover scratch folder is never read as cache content.
        }
    }
}
