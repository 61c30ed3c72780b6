using System.Collections.Concurrent;
using System.Globalization;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Upload;
using Microsoft.Extensions.Logging;

namespace AzFuse.Cache;

/// <summary>
/// Cache fills without an fsync per file, and the record that lets the next boot tell which files
/// a power loss may have left empty or torn: a cache file is whole or absent, at no cost per fill.
/// </summary>
/// <remarks>
/// <para>
/// An fsync per small file was the largest cost of a miss (and most of a 100 MiB fill's gap to
/// <c>curl -o</c>). A fill's content can always be fetched again; what must never happen is a
/// torn file at a cache path after a power loss, looking cached. So before its first fill under a
/// cache root, a process leaves a marker there (<c>.azfuse/.unsynced-BOOT-PID</c>, fsync'd with
/// its folder), and its fills are renamed into place unflushed. A clean end (Dispose, or the
/// process exiting) flushes the file system once (<c>syncfs</c>) and removes the marker.
/// </para>
/// <para>
/// When a process starts and finds a marker of another boot, the machine went down while that
/// process had unflushed fills: every cache file born (statx birth time, which a rename keeps and
/// a read does not touch) from that marker's birth until this boot started is removed, unless it
/// holds a write not yet uploaded (writes are flushed before their Dispose returns: a promise kept
/// apart from this). Those files are fetched again when next opened. One process does it, under a
/// lock, while the others starting wait; a marker of this boot whose process is gone only needs
/// a <c>syncfs</c> (nothing was lost: the page cache outlives a killed process).
/// </para>
/// <para>
/// Where this cannot be told (not Linux, or a file system without birth times), each fill is
/// fsync'd before its rename, as before. A download resumed from an earlier process's partial
/// file is fsync'd too: it was born before this process's marker.
/// </para>
/// </remarks>
internal sealed class UnsyncedFills : IProcessExitCleanup, IDisposable
{
    private const string MarkerPrefix = ".unsynced-";

    private readonly ConcurrentDictionary<string, Lazy<bool>> _covered = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    public UnsyncedFills(ILogger logger)
    {
        _logger = logger;
        ProcessExitCleanup.Register(this);
    }

    /// <summary>
    /// Called before a fill creates its first file under <paramref name="cacheRoot"/>: the first
    /// call of the process leaves the root's marker.
    /// </summary>
    public void Begin(string cacheRoot) => _ = IsCovered(cacheRoot);

    /// <summary>
    /// Whether a file written under <paramref name="cacheRoot"/> from now on needs no fsync of its
    /// own to be told apart after a power loss: this process's marker is there (left now if it was
    /// not). A small write in a scope relies on it, with its bytes in the journal (see <c>FileWriter.CommitAsync</c>).
    /// </summary>
    public bool Covers(string cacheRoot) => IsCovered(cacheRoot);

    /// <summary>
    /// Called when a fill's <paramref name="files"/> are complete, before they are renamed into
    /// place: flushed to disk only where the marker cannot stand in for that (see remarks), or
    /// with <paramref name="flush"/>.
    /// </summary>
    public void Complete(string cacheRoot, IEnumerable<string> files, bool flush = false)
    {
        if (flush || !IsCovered(cacheRoot))
        {
            Durability.FlushFiles(files);
        }
    }

    /// <inheritdoc cref="Complete(string, IEnumerable{string}, bool)"/>
    public void Complete(string cacheRoot, string file, bool flush = false) => Complete(cacheRoot, [file], flush);

    /// <summary>
    /// Before a process uses <paramref name="cacheRoot"/>: removes what a power loss may have torn
    /// (see remarks), and the markers of this boot's finished processes once flushed.
    /// </summary>
    /// <param name="cacheRoot">The cache root, before this process uses it.</param>
    /// <param name="eviction">Removes a file unless it holds a write not yet uploaded.</param>
    /// <param name="pending">Puts back the small writes whose bytes the journals hold.</param>
    /// <param name="space">Told the bytes removed.</param>
    /// <param name="lockTimeout">How long to wait for another process's recovery.</param>
    /// <param name="time">The clock of the wait.</param>
    /// <param name="logger">Told what was removed.</param>
    /// <param name="current">This boot (another in tests).</param>
    /// <returns>The cache files removed.</returns>
    public static int Recover(string cacheRoot, CacheEviction eviction, PendingStore pending, CacheSpace space, TimeSpan lockTimeout, TimeProvider time, ILogger logger, Boot? current)
    {
        if (current is not { Id: var boot, StartedAt: var until } || ReadMarkers(cacheRoot) is not { Count: > 0 } found)
        {
            return 0;
        }

        if (found.All(m => m.Boot == boot))
        {
            ForgetFinished(cacheRoot, found, boot);
            return 0;
        }

        var lockPath = Path.Combine(cacheRoot, CacheLayout.WorkFolderName, ".recovery.lock");
        using var recovery = FileLock.AcquireAsync(lockPath, lockTimeout, "recovering the cache after a restart", async: false, time, CancellationToken.None).EnsureCompleted();
        var stale = ReadMarkers(cacheRoot).Where(m => m.Boot != boot).ToList();
        if (stale.Count == 0)
        {
            return 0; // another process did it while this one waited
        }

        var since = stale.Min(m => m.Since);
        var unuploaded = eviction.PendingSnapshot(cacheRoot);
        var removed = 0;
        long freed = 0;
        foreach (var file in CacheEviction.Scan(cacheRoot))
        {
            if (NativeFiles.BirthTimeOf(file.Path) is { } born && born >= since && born < until &&
                eviction.TryRemove(cacheRoot, file.Path, unuploaded, onlyIfClosed: false) is { } bytes)
            {
                removed++;
                freed += bytes;
            }
        }

        // Streamed blocks too: a block is read as it lies once it has its name.
        var blocks = BlockCache.RootOf(cacheRoot);
        if (Directory.Exists(blocks))
        {
            foreach (var block in new DirectoryInfo(blocks).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                if (NativeFiles.BirthTimeOf(block.FullName) is { } born && born >= since && born < until)
                {
                    freed += block.Length;
                    CacheCommit.DeleteQuietly(block.FullName);
                }
            }
        }

        space.Adjust(cacheRoot, -freed);

        // Files of small writes in a scope were kept above (not uploaded yet) but never flushed:
        // their journals hold their bytes, which put them back before the markers go.
        var restored = pending.RestoreContent(cacheRoot);
        foreach (var marker in stale)
        {
            CacheCommit.DeleteQuietly(marker.Path);
        }

        NativeFiles.FlushFolder(Path.Combine(cacheRoot, CacheLayout.WorkFolderName));
        Log.RecoveredUnsyncedFills(logger, cacheRoot, removed, since);
        if (restored > 0)
        {
            Log.RestoredWrittenContent(logger, cacheRoot, restored);
        }

        return removed;
    }

    /// <summary>Flushes the file systems of this process's fills and removes its markers: they have nothing left to vouch for.</summary>
    public void Dispose()
    {
        foreach (var (root, covered) in _covered)
        {
            if (covered.IsValueCreated && covered.Value && NativeFiles.TrySyncFileSystem(root))
            {
                CacheCommit.DeleteQuietly(MarkerPath(root, BootSession.Id!, Environment.ProcessId));
            }
        }

        _covered.Clear();
    }

    void IProcessExitCleanup.CleanUpAtExit() => Dispose();

    private bool IsCovered(string cacheRoot) =>
        _covered.GetOrAdd(cacheRoot, root => new Lazy<bool>(() => TryLeaveMarker(root))).Value;

    /// <summary>Leaves this process's marker under <paramref name="cacheRoot"/>; whether it can stand in for an fsync per fill there.</summary>
    private bool TryLeaveMarker(string cacheRoot)
    {
        if (BootSession.Current is not { Id: var boot })
        {
            return false;
        }

        var folder = Path.Combine(cacheRoot, CacheLayout.WorkFolderName);
        var marker = MarkerPath(cacheRoot, boot, Environment.ProcessId);
        try
        {
            Directory.CreateDirectory(folder);
            using (var file = new FileStream(marker, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0))
            {
                file.Flush(flushToDisk: true);
            }

            NativeFiles.FlushFolder(folder);
            if (NativeFiles.BirthTimeOf(marker) is null)
            {
                // No birth times here: nothing could tell the files to remove after a power loss.
                CacheCommit.DeleteQuietly(marker);
                Log.FillsFlushedEach(_logger, cacheRoot, "the file system does not keep birth times");
                return false;
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.FillsFlushedEach(_logger, cacheRoot, ex.Message);
            return false;
        }
    }

    private static string MarkerPath(string cacheRoot, string boot, int processId) =>
        Path.Combine(cacheRoot, CacheLayout.WorkFolderName, string.Create(CultureInfo.InvariantCulture, $"{MarkerPrefix}{boot}-{processId}"));

    /// <summary>The markers under <paramref name="cacheRoot"/>: whose boot and process, and since when (the marker's birth).</summary>
    private static List<Marker> ReadMarkers(string cacheRoot)
    {
        var folder = Path.Combine(cacheRoot, CacheLayout.WorkFolderName);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var markers = new List<Marker>();
        foreach (var path in Directory.EnumerateFiles(folder, MarkerPrefix + "*"))
        {
            var name = Path.GetFileName(path)[MarkerPrefix.Length..];
            var dash = name.LastIndexOf('-');
            if (dash > 0 && int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                NativeFiles.BirthTimeOf(path) is { } since)
            {
                markers.Add(new Marker(path, name[..dash], pid, since));
            }
        }

        return markers;
    }

    /// <summary>Markers of this boot whose processes are gone: their fills are in the page cache, flushed now, and the markers go.</summary>
    private static void ForgetFinished(string cacheRoot, List<Marker> markers, string boot)
    {
        var finished = markers.Where(m => m.Boot == boot && !IsAlive(m.ProcessId)).ToList();
        if (finished.Count > 0 && NativeFiles.TrySyncFileSystem(cacheRoot))
        {
            foreach (var marker in finished)
            {
                CacheCommit.DeleteQuietly(marker.Path);
            }
        }
    }

    private static bool IsAlive(int processId)
    {
        if (processId == Environment.ProcessId)
        {
            return true;
        }

        // A reused id keeps a marker a little longer: harmless (it only widens a later recovery).
        return Directory.Exists($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}");
    }

    private sealed record Marker(string Path, string Boot, int ProcessId, DateTimeOffset Since);
}
