namespace AzFuse.Cache;

/// <summary>This process's cache counters since the client was created.</summary>
internal sealed class CacheStatistics
{
    private long _hits;
    private long _misses;
    private long _evictions;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public long Evictions => Interlocked.Read(ref _evictions);

    public void Hit() => Interlocked.Increment(ref _hits);

    public void Miss() => Interlocked.Increment(ref _misses);

    public void Evicted() => Interlocked.Increment(ref _evictions);
}
