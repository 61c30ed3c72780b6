using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using AzFuse.IO;

namespace AzFuse.Cache;

/// <summary>
/// The per-file lock that fills, revalidations, write commits and evictions hold while they
/// change a cache file, and the pin that keeps the file's folder from being removed meanwhile.
/// </summary>
/// <remarks>
/// <para>
/// On Linux both are locks on one byte each of one lock file per cache root
/// (<c>CACHE/.azfuse/.fill-locks</c>, see <see cref="RangeLock"/>), at an offset hashed from the
/// path: taking one creates and deletes no file. A lock file per cache file, created and deleted
/// by each fill, cost an inode allocation per miss, which ext4 makes slow where many files were
/// recently deleted (0.3–0.5 ms per create measured on a busy cache disk, as much as the download
/// of a small file's partial file). Offsets are 62-bit hashes: two paths sharing one would only
/// make one fill wait for the other.
/// </para>
/// <para>
/// The file's lock is exclusive. Its folder's pin is shared by every holder of a lock on a file
/// in that folder, and taken first; <c>ClearCache</c> removes an emptied folder only under the
/// folder's pin taken exclusively, so a folder is never removed between a fill creating it and
/// putting its file there.
/// </para>
/// <para>
/// Elsewhere (no such locks) the lock is a <see cref="FileLock"/> on <c>.NAME.azfuse-lock</c> beside
/// the cache file, which also pins the folder (only empty folders are removed).
/// </para>
/// </remarks>
internal sealed class FillLock : IDisposable
{
    private const int Attempts = 100;
    private const string LockFileName = ".fill-locks";

    // Cache roots whose file system refused range locks: per-file lock files there.
    private static readonly ConcurrentDictionary<string, bool> s_withoutRangeLocks = new(StringComparer.Ordinal);

    // The folder's pin and the file's lock: two bytes taken on one open, released together.
    private readonly RangeLock? _locks;
    private readonly FileLock? _fileLock;

    private FillLock(RangeLock pinAndLock)
    {
        _locks = pinAndLock;
    }

    private FillLock(FileLock fileLock)
    {
        _fileLock = fileLock;
    }

    /// <summary>Waits for the lock of <paramref name="cachePath"/>, creating its folder first.</summary>
    /// <exception cref="IOException">A folder on the way is a link (see <see cref="ContainedFolders"/>).</exception>
    public static async ValueTask<FillLock> AcquireAsync(string cacheRoot, string cachePath, string description, TimeSpan timeout, TimeProvider time, bool async, CancellationToken cancellationToken) =>
        (await AcquireUnlessAsync(cacheRoot, cachePath, description, unless: null, timeout, time, async, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// Waits for the lock of <paramref name="cachePath"/> as <see cref="AcquireAsync"/>, but
    /// returns <see langword="null"/> as soon as <paramref name="unless"/> says it is not needed
    /// (the file arrived meanwhile).
    /// </summary>
    public static ValueTask<FillLock?> AcquireUnlessAsync(string cacheRoot, string cachePath, string description, Func<bool>? unless, TimeSpan timeout, TimeProvider time, bool async, CancellationToken cancellationToken) =>
        LockWait.PollAsync(() => TryAcquireCreating(cacheRoot, cachePath), unless, timeout, description, UsesRangeLocks(cacheRoot) ? LockFilePath(cacheRoot) : CacheFileNames.LockPath(cachePath), async, time, cancellationToken);

    /// <summary>Takes the lock of <paramref name="cachePath"/> if it is free, creating its folder first; <see langword="null"/> when held.</summary>
    /// <exception cref="IOException">A folder on the way is a link (see <see cref="ContainedFolders"/>).</exception>
    public static FillLock? TryAcquireCreating(string cacheRoot, string cachePath) => TryAcquire(cacheRoot, cachePath, createFolder: true);

    /// <summary>
    /// Takes the lock of an existing cache file if it is free, creating nothing: <see langword="null"/>
    /// when held or when its folder is gone (and the file with it).
    /// </summary>
    public static FillLock? TryAcquireExisting(string cacheRoot, string cachePath) => TryAcquire(cacheRoot, cachePath, createFolder: false);

    /// <summary>
    /// Takes the pin of <paramref name="folder"/> exclusively, to remove it: <see langword="null"/>
    /// when a lock on a file in it is held (a fill may be about to put a file there). Where the
    /// locks are lock files beside the cache files, a disposable that holds nothing: such a lock
    /// file keeps its folder from being empty.
    /// </summary>
    public static IDisposable? TryPinForRemoval(string cacheRoot, string folder)
    {
        if (!UsesRangeLocks(cacheRoot))
        {
            return NoPin.Instance;
        }

        try
        {
            return RangeLock.TryAcquire(LockFilePath(cacheRoot), FolderKey(folder), exclusive: true, out var pin) == true ? pin : null;
        }
        catch (DirectoryNotFoundException)
        {
            return NoPin.Instance; // no work folder: no lock was ever taken here
        }
    }

    public void Dispose()
    {
        // The file's lock and its folder's pin at once (one close).
        _locks?.Dispose();
        _fileLock?.Dispose();
    }

    private static FillLock? TryAcquire(string cacheRoot, string cachePath, bool createFolder)
    {
        var folder = Path.GetDirectoryName(cachePath)!;
        if (UsesRangeLocks(cacheRoot))
        {
            try
            {
                return TryAcquireRanges(cacheRoot, cachePath, folder, createFolder);
            }
            catch (RangeLocksUnavailableException)
            {
                s_withoutRangeLocks[cacheRoot] = true;
            }
        }

        return TryAcquireLockFile(cacheRoot, cachePath, folder, createFolder);
    }

    private static FillLock? TryAcquireRanges(string cacheRoot, string cachePath, string folder, bool createFolder)
    {
        var lockFile = LockFilePath(cacheRoot);
        RangeLock? pin = null;
        try
        {
            if (!TryTake(lockFile, FolderKey(folder), exclusive: false, out pin))
            {
                return null; // a ClearCache is removing the folder this instant
            }

            // Pinned: the folder cannot be removed from here on, so it is created (or found) once.
            if (createFolder)
            {
                CreatePinned(cacheRoot, folder);
            }
            else if (NativeFiles.StatusOf(folder) is not { Kind: FileKind.Directory })
            {
                pin.Dispose();
                return null;
            }

            // On the pin's own open: another holder's lock of this file (in this process or
            // another) is on an open of its own, so it still excludes this one.
            if (!(pin.TryAlsoLock(FileKey(cachePath), exclusive: true) ?? throw new RangeLocksUnavailableException()))
            {
                pin.Dispose();
                return null;
            }

            return new FillLock(pin);
        }
        catch
        {
            pin?.Dispose();
            throw;
        }
    }

    private static void CreatePinned(string cacheRoot, string folder)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                ContainedFolders.Create(cacheRoot, folder);
                return;
            }
            catch (IOException) when (attempt < Attempts && NativeFiles.StatusOf(folder) is null)
            {
                // A ClearCache removed a parent, still empty, as it was made (only the folder
                // itself is pinned): make it again.
            }
        }
    }

    private static bool TryTake(string lockFile, long offset, bool exclusive, [NotNullWhen(true)] out RangeLock? taken)
    {
        bool? locked;
        try
        {
            locked = RangeLock.TryAcquire(lockFile, offset, exclusive, out taken);
        }
        catch (DirectoryNotFoundException)
        {
            // The first lock of this cache root: its work folder comes first.
            Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
            locked = RangeLock.TryAcquire(lockFile, offset, exclusive, out taken);
        }

        return locked ?? throw new RangeLocksUnavailableException();
    }

    private static FillLock? TryAcquireLockFile(string cacheRoot, string cachePath, string folder, bool createFolder)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (createFolder)
            {
                ContainedFolders.Create(cacheRoot, folder);
            }

            try
            {
                return FileLock.TryAcquire(CacheFileNames.LockPath(cachePath)) is { } taken ? new FillLock(taken) : null;
            }
            catch (DirectoryNotFoundException) when (createFolder && attempt < Attempts)
            {
                // Removed by a ClearCache between the two steps: create it again.
            }
            catch (DirectoryNotFoundException) when (!createFolder)
            {
                return null;
            }
        }
    }

    private static bool UsesRangeLocks(string cacheRoot) => OperatingSystem.IsLinux() && !s_withoutRangeLocks.ContainsKey(cacheRoot);

    private static string LockFilePath(string cacheRoot) => Path.Combine(cacheRoot, CacheLayout.WorkFolderName, LockFileName);

    private static long FileKey(string cachePath) => Key("file\0" + Path.TrimEndingDirectorySeparator(cachePath));

    private static long FolderKey(string folder) => Key("folder\0" + Path.TrimEndingDirectorySeparator(folder));

    /// <summary>A stable offset for a name, the same in every process: 62 bits of its SHA-256.</summary>
    private static long Key(string name)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        return BinaryPrimitives.ReadInt64LittleEndian(hash) & 0x3FFF_FFFF_FFFF_FFFF;
    }

    /// <summary>The file system of a cache root refused a range lock (an old kernel, a network file system).</summary>
    private sealed class RangeLocksUnavailableException : Exception;

    private sealed class NoPin : IDisposable
    {
        public static readonly NoPin Instance = new();

        public void Dispose()
        {
        }
    }
}
