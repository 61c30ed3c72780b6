namespace AzFuse;

/// <summary>
/// A snapshot of the cache for monitoring, from <see cref="AzFuseClient.GetCacheStats"/>: what the
/// cache folders hold now (by every process), and what this client did since it was created.
/// </summary>
public sealed class CacheStats
{
    /// <summary>The cached files in all cache folders of the mapping file (AzFuse's own files not counted).</summary>
    public long Files { get; init; }

    /// <summary>Their total size in bytes.</summary>
    public long Bytes { get; init; }

    /// <summary>Opens for reading served by a cached (or written, not yet uploaded) copy.</summary>
    public long Hits { get; init; }

    /// <summary>Opens for reading that downloaded the file first (including a cached file found changed remotely).</summary>
    public long Misses { get; init; }

    /// <summary>Files this client removed to keep a cache folder under its <c>max_cache_size</c>.</summary>
    public long Evictions { get; init; }
}
