using System.Globalization;
using System.Text;
using AzFuse.Diagnostics;
using AzFuse.IO;
using Microsoft.Extensions.Logging;

namespace AzFuse.Cache;

/// <summary>
/// Keeps each size-bounded cache root under its <c>max_cache_size</c> (and, with <c>min_free_space</c>,
/// leaves that much free on its disk; see <see cref="CacheBound"/>). Every process that shares
/// the root keeps one number, the bytes held, in a ledger file under a root-wide lock: a fill
/// reserves its size there before writing, and when the reservation would go past the limit, the
/// least recently opened files are evicted first, down to 90% of the limit so that a full cache
/// does not scan its folders on every miss.
/// </summary>
/// <remarks>
/// The ledger is a running estimate (a process killed between a reservation and its fill leaves it
/// high; files deleted by hand leave it high as well); every eviction pass first scans the folder
/// and sets it to what is really there: the cache files, plus the fills in flight in any process,
/// whose partial and staged files are created at their full length before a byte arrives (a
/// pass that counted only finished files would drop other processes' reservations from the
/// ledger, and the folder would settle above its limit by what was in flight). Lock order is fill lock, then root lock; an eviction pass
/// holds the root lock and only ever tries fill locks without waiting, so no two processes can
/// wait on each other.
/// </remarks>
internal sealed class CacheSpace
{
    private const int KeepPercent = 90;

    private readonly IReadOnlyDictionary<string, CacheBound> _limits;
    private readonly CacheEviction _eviction;
    private readonly CacheStatistics _stats;
    private readonly TimeSpan _lockTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // limits: the bounded cache roots (full paths) and their bounds; others are unbounded.
    public CacheSpace(IReadOnlyDictionary<string, CacheBound> limits, CacheEviction eviction, CacheStatistics stats, TimeSpan lockTimeout, TimeProvider time, ILogger logger)
    {
        _limits = limits;
        _eviction = eviction;
        _stats = stats;
        _lockTimeout = lockTimeout;
        _time = time;
        _logger = logger;
    }

    public bool IsBounded(string cacheRoot) => _limits.ContainsKey(cacheRoot);

    /// <summary>
    /// Counts <paramref name="bytes"/> about to be written under <paramref name="cacheRoot"/>, evicting
    /// first when they would not fit. Never fails for want of room: if too little can be evicted
    /// (files open, being filled, or not uploaded yet), the fill proceeds and a warning says so.
    /// </summary>
    /// <param name="cacheRoot">The cache root the bytes go to.</param>
    /// <param name="bytes">How many.</param>
    /// <param name="async">Whether to run asynchronously.</param>
    /// <param name="cancellationToken">Cancels waiting for the root's lock.</param>
    /// <param name="ownStaging">A staging folder whose files are these bytes already (an azcopy job's), not to be counted twice.</param>
    public async ValueTask ReserveAsync(string cacheRoot, long bytes, bool async, CancellationToken cancellationToken, string? ownStaging = null)
    {
        if (!_limits.TryGetValue(cacheRoot, out var bound))
        {
            return;
        }

        using var rootLock = await AcquireAsync(cacheRoot, async, cancellationToken).ConfigureAwait(false);
        var used = ReadLedger(cacheRoot);
        if (used is null || used + bytes > bound.LimitFor(cacheRoot, used.Value))
        {
            used = MakeRoom(cacheRoot, bound, bytes, ownStaging);
        }

        WriteLedger(cacheRoot, used.Value + bytes);
    }

    /// <summary>Corrects the count by <paramref name="delta"/> bytes: a fill that failed, a replaced or removed file.</summary>
    public void Adjust(string cacheRoot, long delta)
    {
        if (delta == 0 || !_limits.ContainsKey(cacheRoot))
        {
            return;
        }

        using var rootLock = AcquireAsync(cacheRoot, async: false, CancellationToken.None).EnsureCompleted();
        if (ReadLedger(cacheRoot) is { } used)
        {
            WriteLedger(cacheRoot, Math.Max(0, used + delta));
        }
    }

    /// <summary>
    /// Marks a cache file as opened now: eviction goes by last opening. Set explicitly because
    /// file systems mounted with <c>noatime</c> or <c>relatime</c> do not keep it up to date.
    /// Only for bounded roots: an unbounded cache's hit stays one open() and nothing else.
    /// </summary>
    public void MarkOpened(string cacheRoot, FileStream file)
    {
        if (!_limits.ContainsKey(cacheRoot))
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow();
            var handle = file is CacheFileStream hit ? hit.OpenHandle : file.SafeFileHandle;
            if (!NativeFiles.TrySetAccessTime(handle, now))
            {
                File.SetLastAccessTimeUtc(handle, now.UtcDateTime);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a file opened read-only on a read-only mount is still worth reading.
        }
    }

    /// <summary>
    /// What each bounded root's ledger says it holds, read without its lock (a torn read is
    /// skipped): cheap enough for a metric collected every few seconds, where a walk is not.
    /// </summary>
    public IEnumerable<(string CacheRoot, long Bytes)> LedgerSizes()
    {
        foreach (var root in _limits.Keys)
        {
            long? used;
            try
            {
                used = ReadLedger(root);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                used = null; // not created yet, or being rewritten
            }

            if (used is { } bytes)
            {
                yield return (root, bytes);
            }
        }
    }

    private long MakeRoom(string cacheRoot, CacheBound bound, long incoming, string? ownStaging)
    {
        // What is there, counted by a walk that keeps nothing per file; only when that is too much, a
        // second walk keeping just the oldest files, enough to make room. (Listing every file to sort
        // it took 300 MB for a folder of 1,000,000 files.) Cache files and the blocks of streamed reads
        // share the limit, and are evicted by one order.
        var (files, partials) = CacheEviction.Measure(cacheRoot);
        var used = files + partials + CacheEviction.StagedBytes(cacheRoot, ownStaging) + BlockCache.Bytes(cacheRoot);
        var limit = bound.LimitFor(cacheRoot, used);
        if (used + incoming <= limit)
        {
            return used;
        }

        var target = Math.Max(0, (limit / 100 * KeepPercent) - incoming);
        var pending = _eviction.PendingSnapshot(cacheRoot);
        var evicted = 0;

        // Files that stay (open, being filled, not uploaded) are passed over by the next round, which
        // picks twice as much: a folder where most of the oldest must stay is not walked once per file.
        var kept = new HashSet<string>(StringComparer.Ordinal);
        var want = used - target;
        while (used > target)
        {
            var oldest = CacheEviction.Oldest(CacheEviction.Walk(cacheRoot).Concat(BlockCache.Walk(cacheRoot)), Math.Max(want, used - target), kept);
            if (oldest.Count == 0)
            {
                break;
            }

            var stayed = 0;
            foreach (var file in oldest)
            {
                if (used <= target)
                {
                    break;
                }

                var removed = BlockCache.Holds(cacheRoot, file.Path) ? BlockCache.TryEvict(file.Path) : _eviction.TryRemove(cacheRoot, file.Path, pending, onlyIfClosed: true);
                if (removed is { } freed)
                {
                    used -= freed;
                    evicted++;
                    _stats.Evicted();
                    if (freed == 0)
                    {
                        kept.Add(file.Path); // gone already (or empty): never picked again
                    }
                }
                else
                {
                    kept.Add(file.Path);
                    stayed++;
                }
            }

            want = stayed > 0 ? want * 2 : want;
        }

        Log.Evicted(_logger, evicted, cacheRoot, used);
        if (used + incoming > limit)
        {
            Log.CacheOverLimit(_logger, cacheRoot, used + incoming, limit);
        }

        return used;
    }

    private ValueTask<FileLock> AcquireAsync(string cacheRoot, bool async, CancellationToken cancellationToken)
    {
        ContainedFolders.Create(cacheRoot, Path.Combine(cacheRoot, CacheLayout.WorkFolderName));
        return FileLock.AcquireAsync(CacheLayout.SizeLedgerLockPath(cacheRoot), _lockTimeout, "the cache size of " + cacheRoot, async, _time, cancellationToken);
    }

    private static long? ReadLedger(string cacheRoot)
    {
        try
        {
            return long.TryParse(File.ReadAllText(CacheLayout.SizeLedgerPath(cacheRoot)), NumberStyles.None, CultureInfo.InvariantCulture, out var used) ? used : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    // Written under the root lock: a torn or missing ledger reads as unknown, which means "scan".
    private static void WriteLedger(string cacheRoot, long used) =>
        ContainedFolders.WriteNewFile(CacheLayout.SizeLedgerPath(cacheRoot), Encoding.ASCII.GetBytes(used.ToString(CultureInfo.InvariantCulture)));
}
