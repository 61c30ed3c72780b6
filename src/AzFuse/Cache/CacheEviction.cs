using System.IO.Enumeration;
using AzFuse.IO;
using AzFuse.Upload;

namespace AzFuse.Cache;

/// <summary>A cache file as a scan of its folder sees it.</summary>
internal readonly record struct CachedFile(string Path, long Length, DateTime LastOpenedUtc);

/// <summary>
/// Removes cache files without ever losing a write or pulling a file from under a reader. Every
/// removal happens under the file's fill lock, which fills, revalidations and write commits also
/// hold while they change the file; so a file is never removed between another process filling
/// it and opening it.
/// </summary>
/// <remarks>
/// "Open in some process" is read from the lock every AzFuse reader holds: .NET takes a shared
/// <c>flock</c> on Unix (a share mode on Windows) for a file opened to read with
/// <see cref="FileShare.Read"/>, so an exclusive open that fails means someone has it open.
/// </remarks>
internal sealed class CacheEviction
{
    private readonly PendingStore _pending;

    public CacheEviction(PendingStore pending)
    {
        _pending = pending;
    }

    /// <summary>The cache files under <paramref name="cacheRoot"/>, without AzFuse's own files and work folder (nor the Python tool's temporary files).</summary>
    public static List<CachedFile> Scan(string cacheRoot) => Scan(cacheRoot, cacheRoot, withOwnFiles: false);

    /// <summary><see cref="Scan(string)"/> as it walks: nothing is kept, however many files the folder holds.</summary>
    public static IEnumerable<CachedFile> Walk(string cacheRoot) => Walk(cacheRoot, cacheRoot, withOwnFiles: false);

    /// <summary>
    /// The bytes of the cache files under <paramref name="cacheRoot"/> and of the partial downloads
    /// beside them (fills in flight, in any process, which create them at their full length): one
    /// walk that keeps nothing per file.
    /// </summary>
    public static (long Files, long Partials) Measure(string cacheRoot)
    {
        if (NativeFiles.StatusOf(cacheRoot) is not { Kind: FileKind.Directory })
        {
            return (0, 0);
        }

        var root = Path.TrimEndingDirectorySeparator(cacheRoot);
        var sizes = new FileSystemEnumerable<(long Length, bool Partial)>(root, (ref FileSystemEntry e) => (e.Length, CacheFileNames.IsPartialName(e.FileName)), WalkOptions)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory &&
                !CacheFileNames.IsOtherToolsName(e.FileName) &&
                (CacheFileNames.IsPartialName(e.FileName) || !CacheFileNames.IsReservedName(e.FileName)),
            ShouldRecursePredicate = (ref FileSystemEntry e) => Recurses(ref e, root),
        };
        long files = 0, partials = 0;
        foreach (var (length, partial) in sizes)
        {
            if (partial)
            {
                partials += length;
            }
            else
            {
                files += length;
            }
        }

        return (files, partials);
    }

    /// <summary>
    /// The oldest of <paramref name="files"/> by last opening, oldest first, whose lengths add up to
    /// at least <paramref name="bytes"/>; files in <paramref name="skip"/> are passed over. Only
    /// those are held while the files are walked: an eviction pass over a folder of 1,000,000 files
    /// that kept them all sorted took 300 MB.
    /// </summary>
    public static List<CachedFile> Oldest(IEnumerable<CachedFile> files, long bytes, IReadOnlySet<string> skip)
    {
        // The newest of those held is at the top, to be let go once the others are enough without it.
        var held = new PriorityQueue<CachedFile, DateTime>(Comparer<DateTime>.Create((a, b) => b.CompareTo(a)));
        long heldBytes = 0;
        foreach (var file in files)
        {
            if (skip.Contains(file.Path) || (heldBytes >= bytes && held.TryPeek(out _, out var newest) && file.LastOpenedUtc >= newest))
            {
                continue;
            }

            held.Enqueue(file, file.LastOpenedUtc);
            heldBytes += file.Length;
            while (held.TryPeek(out var top, out _) && heldBytes - top.Length >= bytes)
            {
                held.Dequeue();
                heldBytes -= top.Length;
            }
        }

        var oldestFirst = new List<CachedFile>(held.Count);
        while (held.TryDequeue(out var file, out _))
        {
            oldestFirst.Add(file);
        }

        oldestFirst.Reverse();
        return oldestFirst;
    }

    /// <summary>
    /// The cache files under <paramref name="folder"/>, a real folder in <paramref name="cacheRoot"/>;
    /// with <paramref name="withOwnFiles"/>, also AzFuse's files beside them (lock, partial and record
    /// files, which may outlive their cache file), each as the cache path it belongs to.
    /// </summary>
    /// <remarks>
    /// Links are neither listed nor followed: a linked folder is the user's (.NET's enumerator
    /// would recurse into it), and a link at a file's name is not a cached copy.
    /// </remarks>
    public static List<CachedFile> Scan(string folder, string cacheRoot, bool withOwnFiles) => [.. Walk(folder, cacheRoot, withOwnFiles)];

    /// <summary><see cref="Scan(string, string, bool)"/> as it walks, keeping nothing.</summary>
    public static IEnumerable<CachedFile> Walk(string folder, string cacheRoot, bool withOwnFiles)
    {
        if (NativeFiles.StatusOf(folder) is not { Kind: FileKind.Directory })
        {
            return [];
        }

        var root = Path.TrimEndingDirectorySeparator(cacheRoot);
        var files = new FileSystemEnumerable<CachedFile>(Path.TrimEndingDirectorySeparator(folder), (ref FileSystemEntry e) =>
        {
            var name = e.FileName.ToString();
            var path = CacheFileNames.IsReservedName(name) ? Path.Combine(e.Directory.ToString(), CacheFileNames.CacheNameOf(name)) : e.ToFullPath();
            return new CachedFile(path, e.Length, e.LastAccessTimeUtc.UtcDateTime);
        }, WalkOptions)
        {
            // The Python tool's files in a shared cache (a write in progress, a lock) are not ours to count or remove.
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory &&
                !CacheFileNames.IsOtherToolsName(e.FileName) &&
                (withOwnFiles || !CacheFileNames.IsReservedName(e.FileName)),
            ShouldRecursePredicate = (ref FileSystemEntry e) => Recurses(ref e, root),
        };
        return files;
    }

    // Files whose names start with '.' are data too: only links are skipped, neither listed nor
    // followed (a linked folder is the user's), by the type the listing gives. Reading e.Attributes
    // instead costs a status call and a user id per entry.
    private static EnumerationOptions WalkOptions => new() { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };

    /// <summary>Into every real folder (links are skipped by <see cref="WalkOptions"/>) but the root's work folder.</summary>
    private static bool Recurses(ref FileSystemEntry e, string root) =>
        !(e.FileName.SequenceEqual(CacheLayout.WorkFolderName) && e.Directory.SequenceEqual(root));

    /// <summary>
    /// The bytes of the files staged for a batch under <paramref name="cacheRoot"/>, in any process,
    /// all but those in <paramref name="exceptStaging"/>: fills in flight, which create them at their
    /// full length before writing (the partial downloads beside cache files are counted by <see cref="Measure"/>).
    /// </summary>
    public static long StagedBytes(string cacheRoot, string? exceptStaging = null)
    {
        var staging = CacheLayout.StagingFolder(Path.TrimEndingDirectorySeparator(cacheRoot));
        var except = exceptStaging is null ? null : Path.TrimEndingDirectorySeparator(exceptStaging);
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        return NativeFiles.StatusOf(staging) is { Kind: FileKind.Directory }
            ? new FileSystemEnumerable<long>(staging, (ref FileSystemEntry e) => e.Length, options)
            {
                ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && (except is null || !e.Directory.StartsWith(except, StringComparison.Ordinal)),
                ShouldRecursePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0,
            }.Sum()
            : 0;
    }

    /// <summary>
    /// The files whose writes were pending when first asked (see <see cref="HoldsUnuploadedWrite"/> for
    /// why a snapshot is enough), read from the journals only if a file without a record needs it.
    /// </summary>
    public Lazy<HashSet<string>> PendingSnapshot(string cacheRoot) => new(() => _pending.PendingDataPaths(cacheRoot));

    /// <summary>
    /// Whether the cache file's content is a write not yet uploaded. Call under the file's fill lock.
    /// A write commits under that lock and leaves a record carrying its token, so a record is the
    /// authority: its token is looked up in the journals now. Without a record (a crash lost it),
    /// only writes older than the caller's work can be pending, which a snapshot already holds.
    /// </summary>
    public bool HoldsUnuploadedWrite(string cacheRoot, string cachePath, CacheRecord? record, Lazy<HashSet<string>>? pendingSnapshot)
    {
        if (record?.PendingWrite is { } token)
        {
            return _pending.IsPending(cacheRoot, token);
        }

        return (pendingSnapshot ?? PendingSnapshot(cacheRoot)).Value.Contains(cachePath);
    }

    /// <summary>
    /// Removes a cache file and its record unless it is being filled or written, holds a write not
    /// yet uploaded, or (with <paramref name="onlyIfClosed"/>) is open in any process.
    /// </summary>
    /// <returns>The bytes freed, or <see langword="null"/> when the file stays.</returns>
    public long? TryRemove(string cacheRoot, string cachePath, Lazy<HashSet<string>>? pendingSnapshot, bool onlyIfClosed)
    {
        var fillLock = FillLock.TryAcquireExisting(cacheRoot, cachePath);
        if (fillLock is null)
        {
            // Held, or its folder is gone (and the file with it).
            return NativeFiles.StatusOf(Path.GetDirectoryName(cachePath)!) is { Kind: FileKind.Directory } ? null : 0;
        }

        using (fillLock)
        {
            if (HoldsUnuploadedWrite(cacheRoot, cachePath, CacheRecords.Read(cachePath), pendingSnapshot))
            {
                return null;
            }

            long length;
            try
            {
                if (onlyIfClosed)
                {
                    // Exclusive: fails while any reader holds it. Deleting while holding it means no
                    // reader can slip in between the check and the delete (a later open finds no file).
                    using var probe = new FileStream(cachePath, FileMode.Open, FileAccess.Read, OperatingSystem.IsWindows() ? FileShare.Delete : FileShare.None, bufferSize: 1);
                    length = probe.Length;
                    File.Delete(cachePath);
                }
                else
                {
                    return RemoveLocked(cachePath);
                }
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                length = 0;
            }
            catch (IOException)
            {
                return null; // open in some process
            }

            RemoveOwnFiles(cachePath);
            return length;
        }
    }

    /// <summary>Removes a cache file and its record; the caller holds its fill lock and knows it holds no pending write.</summary>
    /// <returns>The bytes freed.</returns>
    public static long RemoveLocked(string cachePath)
    {
        var file = new FileInfo(cachePath);
        var length = file.Exists && file.LinkTarget is null ? file.Length : 0;
        CacheCommit.DeleteQuietly(cachePath);
        RemoveOwnFiles(cachePath);
        return length;
    }

    /// <summary>
    /// The record and a partial download left by a killed fill (the caller holds the fill lock, so no
    /// fill is writing it), and a lock file beside it from versions before the fill locks moved into
    /// one file: removed only if no one holds it, by taking and releasing it.
    /// </summary>
    private static void RemoveOwnFiles(string cachePath)
    {
        var legacyLock = CacheFileNames.LockPath(cachePath);
        if (NativeFiles.HasIdentity && NativeFiles.StatusOf(legacyLock) is { Kind: FileKind.File })
        {
            FileLock.TryAcquire(legacyLock)?.Dispose();
        }

        CacheRecords.Delete(cachePath);
        CacheCommit.DeleteQuietly(CacheFileNames.PartialPath(cachePath));
        CacheCommit.DeleteQuietly(CacheFileNames.RangesPath(cachePath));
        CacheCommit.DeleteQuietly(CacheFileNames.RecordTempPath(cachePath));
    }
}
