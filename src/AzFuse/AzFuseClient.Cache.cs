using AzFuse.Diagnostics;

namespace AzFuse;

/// <summary>The cache's own operations: clearing it and looking at it.</summary>
public sealed partial class AzFuseClient
{
    /// <summary>
    /// Removes the cached copy of a file, or of everything under a folder, so the next Open
    /// downloads it again, with AzFuse's own files beside them and the folders left empty. The
    /// remote blob is untouched. Files whose written content is not uploaded yet, and files another
    /// process is filling, stay; symbolic links, and folders reached through them, are never
    /// entered or deleted. Does nothing when AzFuse is disabled or the path is outside every mapping.
    /// </summary>
    /// <param name="path">A logical file or folder path.</param>
    public void ClearCache(string path)
    {
        if (!_options.Enabled || _engine.Value.Resolver.Resolve(path) is not { } resolved)
        {
            return;
        }

        _engine.Value.Clearing.Clear(resolved);
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

        return _engine.Value.GetCacheStats();
    }
}
