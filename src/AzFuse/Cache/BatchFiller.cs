using System.Collections.Concurrent;
using System.Globalization;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Paths;
using AzFuse.Remote;
using AzFuse.Transfer;
using Microsoft.Extensions.Logging;

namespace AzFuse.Cache;

/// <summary>
/// Fills many cache files at once (Prepare): what is cached is skipped; what is missing is
/// fetched per container and cache root by the route the <see cref="TransferPlanner"/> picks (many
/// HTTP requests in flight, or one azcopy job), staged in a private folder, and renamed into place
/// file by file. Files that cannot be fetched are reported together at the end.
/// </summary>
/// <remarks>
/// <para>
/// One download per file per machine, whoever asks: over HTTP a file is fetched only under its
/// fill lock, the same claim an Open's miss takes, held only while that one file is in flight (so
/// a batch of 100,000 files holds at most <see cref="TransferPlanner.HttpParallelism"/> lock files
/// open). A file whose claim another thread or process holds is not fetched again: the batch moves
/// on and comes back for it at the end, waits for that claim alone, and finds the file cached (or,
/// if its fetcher died or failed, fetches it then). So processes preparing the same list share
/// the work, each starting at its own place in the list, and each returns only once every file it
/// asked for is cached. The OS drops a dead process's claims with its locks.
/// </para>
/// <para>
/// An azcopy job (a very large batch) cannot hold a lock per file for its whole run; it claims its
/// files in a list inside its staging folder, whose owner lock says whether the claim is alive
/// (see <see cref="JobClaims"/>), and another batch leaves them to it and waits.
/// </para>
/// </remarks>
internal sealed partial class BatchFiller
{
    private readonly FileDownloader _downloader;
    private readonly JobDownloader _job;
    private readonly TransferPlanner _planner;
    private readonly RetryPolicy _retry;
    private readonly BlobService _blobs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<ResolvedPath, bool> _hasUnuploadedCopy;
    private readonly Freshness _freshness;
    private readonly BatchRevalidator _revalidator;
    private readonly CacheSpace _space;
    private readonly CacheEviction _eviction;
    private readonly TimeSpan _lockTimeout;
    private readonly UnsyncedFills _fills;

    // hasUnuploadedCopy: whether newer content of a path waits for upload outside the cache
    // (staged in shared memory). Such a path is not filled, or the blob's older content would
    // shadow the newer copy for every later Open.
    public BatchFiller(FileDownloader downloader, JobDownloader job, TransferPlanner planner, RetryPolicy retry, BlobService blobs, TimeProvider time, ILogger logger, Func<ResolvedPath, bool> hasUnuploadedCopy, Freshness freshness, BatchRevalidator revalidator, CacheSpace space, CacheEviction eviction, UnsyncedFills fills, TimeSpan lockTimeout)
    {
        _fills = fills;
        _lockTimeout = lockTimeout;
        _hasUnuploadedCopy = hasUnuploadedCopy;
        _freshness = freshness;
        _revalidator = revalidator;
        _space = space;
        _eviction = eviction;
        _downloader = downloader;
        _job = job;
        _planner = planner;
        _retry = retry;
        _blobs = blobs;
        _time = time;
        _logger = logger;
    }

    /// <param name="paths">The files to have in the cache.</param>
    /// <param name="progress">Told the files and bytes fetched as they arrive; the total is the files to fetch (missing, or found changed).</param>
    /// <param name="async">Whether to run asynchronously.</param>
    /// <param name="cancellationToken">Stops the transfers.</param>
    public async ValueTask PrepareAsync(IReadOnlyList<ResolvedPath> paths, IProgress<TransferProgress>? progress, bool async, CancellationToken cancellationToken)
    {
        // Whether each file is cached, by a listing of each folder asked about much (see
        // CachedFiles), so that a Prepare of a dataset already cached costs about a walk of its
        // folders. A path given twice is dealt with once: the set holds only those acted on.
        var cached = CachedFiles.Which(paths.Select(p => p.CachePath).ToList());

        // Sized up front: grown a step at a time, a list of 100,000 paths leaves its smaller copies on the large-object heap.
        var missing = new List<ResolvedPath>(cached.Count(c => !c));
        var due = new List<ResolvedPath>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < paths.Count; i++)
        {
            var path = paths[i];
            if (cached[i])
            {
                // (A file in a folder linked into the cache is the user's: never checked or replaced.)
                if (path.Mapping.Revalidates && seen.Add(path.CachePath) && _freshness.IsDue(path, CacheRecords.Read(path.CachePath), forced: false) && ContainedFolders.Holds(path.CacheRoot, path.CachePath))
                {
                    due.Add(path);
                }
            }
            else if (seen.Add(path.CachePath) && !_hasUnuploadedCopy(path))
            {
                missing.Add(path);
            }
        }

        var failures = new List<TransferFailure>();
        var replacing = new HashSet<string>(StringComparer.Ordinal);
        if (due.Count > 0)
        {
            var (changed, gone) = await _revalidator.CheckAsync(due, async, cancellationToken).ConfigureAwait(false);
            failures.AddRange(gone);
            missing.AddRange(changed);
            replacing.UnionWith(changed.Select(p => p.CachePath));
        }

        Log.PrepareStarted(_logger, paths.Count, missing.Count);
        var counter = progress is null ? null : new ProgressCounter(progress, missing.Count, bytesTotal: null);
        counter?.Report();
        if (missing.Count == 0)
        {
            ThrowIfAny(failures);
            return;
        }

        // Usually one container and one cache root: then the list of missing files is the only group,
        // not copied (a batch of 100,000 paths is 5 MB of large-object heap a copy).
        var first = GroupOf(missing[0]);
        var groups = missing.TrueForAll(p => GroupOf(p) == first)
            ? [missing]
            : missing.GroupBy(GroupOf).Select(g => g.ToList()).ToList();

        if (async)
        {
            var results = await Task.WhenAll(groups.Select(g => FillGroupAsync(g, replacing, counter, async: true, cancellationToken).AsTask())).ConfigureAwait(false);
            failures.AddRange(results.SelectMany(r => r));
        }
        else
        {
            foreach (var group in groups)
            {
                failures.AddRange(FillGroupAsync(group, replacing, counter, async: false, cancellationToken).EnsureCompleted());
            }
        }

        ThrowIfAny(failures);
    }

    /// <summary>What a batch shares: the container (by its endpoint and name, which make its URL) and the cache root.</summary>
    private static (string Endpoint, string Container, string CacheRoot) GroupOf(ResolvedPath path) =>
        (path.Blob.Account.Endpoint.AbsoluteUri.TrimEnd('/'), path.Blob.Account.ContainerName, path.CacheRoot);

    private static void ThrowIfAny(List<TransferFailure> failures)
    {
        if (failures.Count > 0)
        {
            throw Errors.PrepareFailed(failures);
        }
    }

    /// <summary>
    /// Puts one downloaded file in place. Where the mapping keeps records, under the file's fill
    /// lock, taken without waiting: a holder is filling or writing the file, and its result stands.
    /// An existing file is replaced only when it was found changed remotely, and never when it
    /// holds a write not yet uploaded.
    /// </summary>
    /// <returns>Whether the file was put in place (else the staged copy is deleted).</returns>
    private bool Commit(ResolvedPath path, string staged, BlobProperties? blob, ISet<string> replacing)
    {
        if (!path.Mapping.Revalidates)
        {
            // No record to keep in step with the file, and nothing to replace: the atomic no-clobber rename is enough.
            return CacheCommit.MoveIntoPlace(staged, path.CacheRoot, path.CachePath);
        }

        using var fillLock = FillLock.TryAcquireCreating(path.CacheRoot, path.CachePath);
        if (fillLock is null)
        {
            CacheCommit.DeleteQuietly(staged);
            return false;
        }

        return CommitClaimed(path, staged, blob, replacing);
    }

    /// <summary>
    /// <see cref="Commit"/> for a caller that holds the file's fill lock (its claim): nobody else
    /// can change the cache file meanwhile. A file there stands unless it was found changed
    /// remotely (and holds no write not yet uploaded); a link there is replaced, never followed.
    /// </summary>
    private bool CommitClaimed(ResolvedPath path, string staged, BlobProperties? blob, ISet<string> replacing)
    {
        if (CacheFileNames.IsCachedFile(path.CachePath) &&
            (!replacing.Contains(path.CachePath) || _eviction.HoldsUnuploadedWrite(path.CacheRoot, path.CachePath, CacheRecords.Read(path.CachePath), pendingSnapshot: null)))
        {
            CacheCommit.DeleteQuietly(staged);
            return false;
        }

        // A job does not say which version it fetched: the record leaves the ETag open, and a
        // later check compares the content's MD5 instead.
        var now = _time.GetUtcNow();
        var record = !path.Mapping.Revalidates ? null : blob is null ? new CacheRecord(ETag: null, new FileInfo(staged).Length, LastModified: null, now) : CacheRecord.Downloaded(blob, now);
        _space.Adjust(path.CacheRoot, -CacheCommit.Replace(staged, path.CachePath, record));
        return true;
    }

    /// <summary>
    /// Fetches the files one by one, <see cref="TransferPlanner.HttpParallelism"/> at a time, each by
    /// the route its size calls for, each under its claim (see the remarks on the class): first every
    /// file whose claim is free, then, waiting for each, those that others were fetching.
    /// </summary>
    private async ValueTask<IReadOnlyList<TransferFailure>> FillEachAsync(List<ResolvedPath> group, ISet<string> replacing, ProgressCounter? counter, bool async, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var root = group[0].CacheRoot;
        var workFolder = CacheLayout.AzCopyFolder(root);
        var failures = new TransferFailure?[group.Count];
        var deferred = new ConcurrentQueue<int>();
        var (jobClaimed, jobs) = JobClaims.ReadLive(root);
        _fills.Begin(root);
        using var staging = ScratchFolder.Create(CacheLayout.StagingFolder(root), keepAbandonedFor: TimeSpan.Zero, _time);

        // Processes preparing the same list start at different places in it, so that they take
        // different files first instead of queueing behind each other's claims.
        var start = (int)((uint)Environment.ProcessId * 2654435761u % (uint)group.Count);

        // A full disk stops the batch: every other download would fill it up again and fail the same way.
        DiskFullException? diskFull = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        bool IsDone(ResolvedPath path) => !replacing.Contains(path.CachePath) && CacheFileNames.IsCachedFile(path.CachePath);

        async ValueTask FetchClaimed(int i, CancellationToken ct)
        {
            var path = group[i];
            if (IsDone(path))
            {
                counter?.Done(1, 0); // fetched by another fill while this one waited for the claim
                return;
            }

            var staged = Path.Combine(staging.Path, i.ToString(CultureInfo.InvariantCulture));
            long reserved = 0;
            async ValueTask Reserve(BlobProperties blob, bool isAsync, CancellationToken c)
            {
                if (reserved == 0)
                {
                    await _space.ReserveAsync(root, blob.Length, isAsync, c).ConfigureAwait(false);
                    reserved = blob.Length;
                }
            }

            try
            {
                if (await _downloader.DownloadAsync(path.Blob, staged, workFolder, async, ct, Reserve).ConfigureAwait(false) is not { } blob)
                {
                    failures[i] = new TransferFailure(path.LogicalPath, Errors.BlobNotFound(path.LogicalPath, path.Blob));
                    counter?.Failed();
                    return;
                }

                if (blob.IsFolder)
                {
                    failures[i] = new TransferFailure(path.LogicalPath, Errors.NotAFile(path.LogicalPath, path.Blob.DisplayName));
                    counter?.Failed();
                    return;
                }

                _fills.Complete(root, staged);
                if (!CommitClaimed(path, staged, blob, replacing))
                {
                    _space.Adjust(root, -reserved);
                }

                counter?.Done(1, blob.Length);
            }
            catch (Exception ex) when (ex is AzFuseException or IOException || (ex is OperationCanceledException && diskFull is not null))
            {
                CacheCommit.DeleteQuietly(staged);
                _space.Adjust(root, -reserved);
                failures[i] = new TransferFailure(path.LogicalPath, ex);
                counter?.Failed();
                if (ex is DiskFullException full && Interlocked.CompareExchange(ref diskFull, full, null) is null)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                }
            }
        }

        // First pass: each file whose claim is free now; a claimed one is left for the second pass.
        async ValueTask Fill(int k, CancellationToken ct)
        {
            var i = (start + k) % group.Count;
            var path = group[i];
            if (IsDone(path))
            {
                counter?.Done(1, 0);
                return;
            }

            if (jobClaimed.Contains(path.CachePath))
            {
                deferred.Enqueue(i); // an azcopy job of another batch is fetching it
                return;
            }

            FillLock? claim;
            try
            {
                claim = FillLock.TryAcquireCreating(root, path.CachePath);
            }
            catch (IOException ex)
            {
                failures[i] = new TransferFailure(path.LogicalPath, ex); // a link on the way: never written through
                counter?.Failed();
                return;
            }

            if (claim is null)
            {
                deferred.Enqueue(i);
                return;
            }

            using (claim)
            {
                await FetchClaimed(i, ct).ConfigureAwait(false);
            }
        }

        // Second pass: wait for each claim another fill held, then take what it left undone.
        async ValueTask WaitAndFill(int i, CancellationToken ct)
        {
            var path = group[i];
            using var claim = await FillLock.AcquireUnlessAsync(root, path.CachePath, path.LogicalPath, () => IsDone(path), _lockTimeout, _time, async, ct).ConfigureAwait(false);
            if (claim is null)
            {
                counter?.Done(1, 0); // its fetcher finished it
                return;
            }

            await FetchClaimed(i, ct).ConfigureAwait(false);
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = _planner.HttpParallelism, CancellationToken = stop.Token };
        try
        {
            await ParallelLoop.ForAsync(group.Count, options, Fill, async).ConfigureAwait(false);
            var waiting = deferred.ToList();
            Log.WaitingForClaims(_logger, waiting.Count, group.Count);
            if (waiting.Any(i => jobClaimed.Contains(group[i].CachePath)))
            {
                await JobClaims.WaitForAsync(jobs, _lockTimeout, _time, async, stop.Token).ConfigureAwait(false);
            }

            await ParallelLoop.ForAsync(waiting.Count, options, (k, ct) => WaitAndFill(waiting[k], ct), async).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (diskFull is not null)
        {
            // Stopped for the full disk, thrown below.
        }

        if (diskFull is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(diskFull);
        }

        var failed = failures.OfType<TransferFailure>().ToList();
        Log.HttpBatchDownloaded(_logger, group.Count - failed.Count, group[0].Blob.Account.ContainerName, (long)_time.GetElapsedTime(started).TotalMilliseconds);
        return failed;
    }

}
