using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Paths;
using Microsoft.Extensions.Logging;

namespace AzFuse.Cache;

/// <summary>
/// ClearCache: removes the cached copies under a path, with everything AzFuse kept beside them
/// (lock, partial and record files) and the folders that end up empty, so that a cleared cache
/// holds nothing. What is not the cache's is never touched: a link (and whatever it points at),
/// files whose writes are not uploaded yet, and files another process is filling.
/// </summary>
internal sealed class CacheClearing
{
    private readonly CacheEviction _eviction;
    private readonly CacheSpace _space;
    private readonly ILogger _logger;

    public CacheClearing(CacheEviction eviction, CacheSpace space, ILogger logger)
    {
        _eviction = eviction;
        _space = space;
        _logger = logger;
    }

    public void Clear(ResolvedPath path)
    {
        var root = path.CacheRoot;
        var target = path.CachePath;
        var isRoot = target == root;

        // The blocks of streamed reads of the path (or under it) go too, whatever the cache file is.
        _space.Adjust(root, -BlockCache.Clear(path));

        var status = NativeFiles.StatusOf(target);
        if (!isRoot && (!ContainedFolders.Holds(root, target) || status?.Kind == FileKind.Link))
        {
            // A linked folder is the user's, and deleting through it would delete outside the cache.
            if (status is not null)
            {
                Log.ClearSkippedLink(_logger, target);
            }

            return;
        }

        var folder = isRoot || status?.Kind == FileKind.Directory;
        var files = folder
            ? CacheEviction.Scan(target, root, withOwnFiles: true).Select(f => f.Path).Distinct(StringComparer.Ordinal).ToList()
            : [target]; // a file, or none: the lock, partial or record files of one stay behind otherwise

        var pending = _eviction.PendingSnapshot(root);
        long freed = 0;
        foreach (var file in files)
        {
            // Under each file's fill lock, as eviction: a file being filled or written stays, and so
            // does one whose write is not uploaded yet (it is the only copy).
            if (_eviction.TryRemove(root, file, pending, onlyIfClosed: false) is { } bytes)
            {
                freed += bytes;
            }
            else
            {
                Log.PendingKept(_logger, file);
            }
        }

        _space.Adjust(root, -freed);
        RemoveEmptyFolders(root, folder ? target : Path.GetDirectoryName(target)!);
    }

    /// <summary>
    /// Removes the empty folders at and below <paramref name="folder"/>, and its parents that end up
    /// empty, never the cache root or its work folder. An rmdir of a folder that is not empty fails
    /// and nothing happens, so a fill that adds a file meanwhile keeps its folder; one that finds
    /// its folder gone creates it again (see <see cref="FillLock"/>).
    /// </summary>
    private static void RemoveEmptyFolders(string root, string folder)
    {
        // Never the work folder or anything in it: a live process's writing or journal folder may be
        // empty between two writes.
        var work = Path.Combine(root, CacheLayout.WorkFolderName);
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        var below = NativeFiles.StatusOf(folder) is { Kind: FileKind.Directory }
            ? Directory.EnumerateDirectories(folder, "*", options).Where(d => !ContainedFolders.IsUnder(work, d)).ToList()
            : [];
        foreach (var sub in below.OrderByDescending(d => d.Length))
        {
            TryRemoveFolder(root, sub);
        }

        var trimmedRoot = Path.TrimEndingDirectorySeparator(root);
        for (var current = folder; current.Length > trimmedRoot.Length && ContainedFolders.IsUnder(trimmedRoot, current); current = Path.GetDirectoryName(current)!)
        {
            if (!TryRemoveFolder(root, current))
            {
                break;
            }
        }
    }

    /// <summary>Removes <paramref name="folder"/> if it is empty and no fill has pinned it (see <see cref="FillLock"/>).</summary>
    private static bool TryRemoveFolder(string root, string folder)
    {
        using var pin = FillLock.TryPinForRemoval(root, folder);
        if (pin is null)
        {
            return false; // a fill is about to put a file there
        }

        try
        {
            Directory.Delete(folder, recursive: false);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // not empty, or gone already
        }
    }
}
