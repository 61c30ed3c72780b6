using AzFuse.Diagnostics;

namespace AzFuse.Cache;

/// <summary>This process's cache counters since the client was created; each also moves the matching instrument of the "AzFuse" meter.</summary>
internal sealed class CacheStatistics
{
    private long _hits;
    private long _misses;
    private long _evictions;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public long Evictions => Interlocked.Read(ref _evictions);

    public void Hit()
    {
        Interlocked.Increment(ref _hits);
        Telemetry.CacheHit();
    }

    /// <param name="elapsed">How long the Open took, download included.</param>
    public void Miss(TimeSpan elapsed)
    {
        Interlocked.Increment(ref _misses);
        Telemetry.CacheMiss(elapsed);
    }

    public void Evicted()
    {
        Interlocked.Increment(ref _evictions);
        Telemetry.Evicted();
    }
}
