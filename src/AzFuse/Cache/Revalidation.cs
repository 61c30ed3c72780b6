using AzFuse.Diagnostics;
using AzFuse.Paths;
using AzFuse.Remote;
using Microsoft.Extensions.Logging;

namespace AzFuse.Cache;

/// <summary>What a check of a cached file against its blob found.</summary>
internal enum Revalidated
{
    /// <summary>The cached file is current (or a write not yet uploaded): keep it.</summary>
    Current,

    /// <summary>The blob changed: download it again.</summary>
    Changed,

    /// <summary>The blob is gone; so is the cached copy now.</summary>
    Deleted,
}

/// <summary>
/// Checks one cached file against its blob and acts on what it finds, for an Open (one HEAD) and
/// for a Prepare (a HEAD or a listing) alike. The caller holds the file's fill lock.
/// </summary>
internal sealed class Revalidation
{
    private readonly CacheEviction _eviction;
    private readonly CacheSpace _space;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public Revalidation(CacheEviction eviction, CacheSpace space, TimeProvider time, ILogger logger)
    {
        _eviction = eviction;
        _space = space;
        _time = time;
        _logger = logger;
    }

    /// <param name="path">The cached file, whose fill lock the caller holds.</param>
    /// <param name="record">Its record as read under that lock.</param>
    /// <param name="currentBlob">The blob as the service describes it now (<see langword="null"/> when deleted); asked only when needed.</param>
    /// <param name="async">Whether to hash the file asynchronously.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public async ValueTask<Revalidated> CheckLockedAsync(ResolvedPath path, CacheRecord? record, Func<ValueTask<BlobProperties?>> currentBlob, bool async, CancellationToken cancellationToken)
    {
        // A write not uploaded yet is the newest content there is: the remote copy is older.
        if (_eviction.HoldsUnuploadedWrite(path.CacheRoot, path.CachePath, record, pendingSnapshot: null))
        {
            return Revalidated.Current;
        }

        var blob = await currentBlob().ConfigureAwait(false);
        if (blob is null)
        {
            Log.DeletedRemotely(_logger, path.LogicalPath);
            _space.Adjust(path.CacheRoot, -CacheEviction.RemoveLocked(path.CachePath));
            return Revalidated.Deleted;
        }

        if (await Freshness.MatchesAsync(path.CachePath, record, blob, async, cancellationToken).ConfigureAwait(false))
        {
            CacheRecords.Write(path.CachePath, CacheRecord.Downloaded(blob, _time.GetUtcNow()));
            Log.StillCurrent(_logger, path.LogicalPath);
            return Revalidated.Current;
        }

        Log.ChangedRemotely(_logger, path.LogicalPath);
        return Revalidated.Changed;
    }
}
