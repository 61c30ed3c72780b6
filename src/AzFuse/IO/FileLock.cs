using Microsoft.Win32.SafeHandles;

namespace AzFuse.IO;

/// <summary>
/// An exclusive lock shared by every process on the machine, held through a lock file that
/// exists only while the lock is held (on Linux).
/// </summary>
/// <remarks>
/// The lock is an exclusive, non-blocking <c>flock</c> on the lock file; the operating system
/// drops it when its holder dies, even by <c>kill -9</c>, so a crashed process never blocks anyone.
/// flock locks belong to the open file description, so two threads of one process exclude each
/// other as two processes do.
/// <para>
/// Deleting a lock file on release is safe only with one more step, because a waiter may already
/// have opened the old file: when the holder deletes it, that waiter locks a file no one else can
/// find, while a newcomer creates and locks a new file at the same path (two holders). So, on
/// Linux: after taking the flock, a taker compares the inode of the file it locked with the inode
/// at the path now (<c>fstat</c> against <c>lstat</c>); if they differ, its file was deleted by the
/// last holder and it tries again on the one at the path. Only a holder deletes the file, and only
/// while the path still names the file it holds (no one else can delete or replace it meanwhile),
/// as the last act before closing it. So the file at the path is locked by at most one process
/// that has checked it, and a released lock leaves no file behind.
/// </para>
/// <para>
/// Elsewhere (no statx) a lock file is kept: an empty file per lock, as .NET's share modes lock it.
/// Lock files are opened without following a link at their path.
/// </para>
/// </remarks>
internal sealed class FileLock : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly FileStatus? _locked;

    private FileLock(string path, SafeFileHandle handle, FileStatus? locked)
    {
        Path = path;
        _handle = handle;
        _locked = locked;
    }

    public string Path { get; }

    /// <summary>Takes the lock if no one holds it; <see langword="null"/> otherwise.</summary>
    /// <exception cref="DirectoryNotFoundException">The lock file's folder does not exist.</exception>
    public static FileLock? TryAcquire(string lockPath)
    {
        if (!NativeFiles.HasIdentity)
        {
            return TryAcquireKept(lockPath);
        }

        // Each pass either returns or found that the file it locked had just been deleted by its
        // holder; a new file at the path is then locked (or found held) on the next pass.
        for (var pass = 0; pass < 100; pass++)
        {
            switch (TryTake(NativeFiles.OpenLockFile(lockPath), lockPath, out var taken))
            {
                case Take.Taken:
                    return taken;
                case Take.Held:
                    return null;
            }
        }

        return null; // the lock changes hands this fast: held, for all the caller needs to know
    }

    /// <summary>
    /// Takes the lock through a lock file opened earlier (which a waiter may have done long before,
    /// while someone else held it): the flock, then the check that the file locked is still the
    /// one at the path. Takes ownership of <paramref name="opened"/>. Linux only.
    /// </summary>
    internal static Take TryTake(SafeFileHandle opened, string lockPath, out FileLock? taken)
    {
        taken = null;
        if (!NativeFiles.TryLockExclusive(opened))
        {
            opened.Dispose();
            return Take.Held;
        }

        var locked = NativeFiles.StatusOf(opened);
        if (NativeFiles.StatusOf(lockPath) is { } atPath && atPath.IsSameFile(locked))
        {
            taken = new FileLock(lockPath, opened, locked);
            return Take.Taken;
        }

        // Deleted by its last holder after this file was opened: locking it excludes no one.
        opened.Dispose();
        return Take.Stale;
    }

    /// <summary>Waits for the lock, up to <paramref name="timeout"/> (see <see cref="LockWait"/>).</summary>
    public static async ValueTask<FileLock> AcquireAsync(string lockPath, TimeSpan timeout, string description, bool async, TimeProvider time, CancellationToken cancellationToken) =>
        (await AcquireUnlessAsync(lockPath, unless: null, timeout, description, async, time, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// Waits for the lock as <see cref="AcquireAsync"/>, but gives up, returning
    /// <see langword="null"/>, as soon as <paramref name="unless"/> says the lock is no longer
    /// needed (checked before each try): a waiter for a file that its holder has now fetched
    /// need not create the lock file again (its holder deleted it) only to delete it at once.
    /// </summary>
    public static ValueTask<FileLock?> AcquireUnlessAsync(string lockPath, Func<bool>? unless, TimeSpan timeout, string description, bool async, TimeProvider time, CancellationToken cancellationToken) =>
        LockWait.PollAsync(() => TryAcquire(lockPath), unless, timeout, description, lockPath, async, time, cancellationToken);

    /// <summary>What <see cref="TryTake"/> found.</summary>
    internal enum Take
    {
        /// <summary>The lock is ours.</summary>
        Taken,

        /// <summary>Someone holds it.</summary>
        Held,

        /// <summary>The file was locked, but it is no longer the one at the path: try again.</summary>
        Stale,
    }

    /// <summary>Releases the lock, deleting the lock file first if the path still names it.</summary>
    public void Dispose()
    {
        if (_handle.IsClosed)
        {
            return;
        }

        try
        {
            // A holder that deleted the file itself (to end its work early) has nothing to delete:
            // the path is gone, or names a newer file that someone else may hold now.
            if (_locked is { } locked && NativeFiles.StatusOf(Path) is { } atPath && atPath.IsSameFile(locked))
            {
                NativeFiles.Unlink(Path);
            }
        }
        catch (IOException)
        {
            // The file stays; the next taker reuses it.
        }
        finally
        {
            _handle.Dispose();
        }
    }

    private static FileLock? TryAcquireKept(string lockPath)
    {
        try
        {
            // .NET takes a non-blocking flock(LOCK_EX) on Unix for FileShare.None, a share mode on Windows.
            var handle = File.OpenHandle(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new FileLock(lockPath, handle, locked: null);
        }
        catch (IOException) when (File.Exists(lockPath))
        {
            // Held by someone else (a sharing violation). Any other IOException (disk full,
            // missing folder) is not about the lock and propagates.
            return null;
        }
    }
}
