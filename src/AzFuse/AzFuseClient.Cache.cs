using AzFuse.Cache;
using AzFuse.Diagnostics;

namespace AzFuse;

/// <summary>The cache's own operations: clearing it and looking at it.</summary>
public sealed partial class AzFuseClient
{
    /// <summary>
    /// Removes the cached copy of a file, or of everything under a folder, so the next Open
    /// downloads it again. The remote blob is untouched. Files whose written content is not
    /// uploaded yet, and files another process is filling, stay. Does nothing when AzFuse is
    /// disabled or the path is outside every mapping.
    /// </summary>
    /// <param name="path">A logical file or folder path.</param>
    public void ClearCache(string path)
    {
        if (!_options.Enabled || _engine.Value.Resolver.Resolve(path) is not { } resolved)
        {
            return;
        }

        var engine = _engine.Value;
        var pending = engine.Eviction.PendingSnapshot(resolved.CacheRoot);
        var files = File.Exists(resolved.CachePath)
            ? [resolved.CachePath]
            : Directory.Exists(resolved.CachePath)
                ? CacheEviction.Scan(resolved.CachePath).Select(f => f.Path).ToList() // AzFuse's own files and work folder are not cache files
                : [];

        long freed = 0;
        foreach (var file in files)
        {
            // Under each file's fill lock, as eviction: lock and partial files stay (removing a lock
            // file would let two processes fill one file at once), and so does the work folder.
            if (engine.Eviction.TryRemove(resolved.CacheRoot, file, pending, onlyIfClosed: false) is { } bytes)
            {
                freed += bytes;
            }
            else
            {
                Log.PendingKept(_logger, file);
            }
        }

        engine.Space.Adjust(resolved.CacheRoot, -freed);
        Log.CacheCleared(_logger, path);
    }

    /// <summary>
    /// Counts what the cache folders hold (by walking them, so it takes a moment for millions of
    /// files) and what this client did since it was created: hits, misses and evictions.
    /// All zero when AzFuse is disabled.
    /// </summary>
    /// <returns>The numbers.</returns>
    public CacheStats GetCacheStats()
    {
        if (!_options.Enabled)
        {
            return new CacheStats();
        }

        var engine = _engine.Value;
        long files = 0, bytes = 0;
        foreach (var root in engine.CacheRoots)
        {
            foreach (var file in CacheEviction.Scan(root))
            {
                files++;
                bytes += file.Length;
            }
        }

        var stats = engine.Statistics;
        return new CacheStats { Files = files, Bytes = bytes, Hits = stats.Hits, Misses = stats.Misses, Evictions = stats.Evictions };
    }
}
