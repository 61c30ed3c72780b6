using AzFuse.Diagnostics;
using AzFuse.Paths;
using AzFuse.Remote;
using AzFuse.Transfer;
using AzFuse.Upload;
using Microsoft.Extensions.Logging;

namespace AzFuse.Cache;

/// <summary>
/// Fills and revalidates one cache file, under the file's cross-process lock: of many processes
/// asking at once exactly one downloads and the rest wait and then read its result. The file is
/// opened before the lock is released, so no eviction can remove it in between.
/// </summary>
internal sealed class CacheFiller
{
    private readonly FileDownloader _downloader;
    private readonly BlobService _blobs;
    private readonly Freshness _freshness;
    private readonly CacheSpace _space;
    private readonly Revalidation _revalidation;
    private readonly UnsyncedFills _fills;
    private readonly WritingFolders _folders;
    private readonly TimeSpan _lockTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CacheFiller(FileDownloader downloader, BlobService blobs, Freshness freshness, CacheSpace space, Revalidation revalidation, UnsyncedFills fills, WritingFolders folders, TimeSpan lockTimeout, TimeProvider time, ILogger logger)
    {
        _fills = fills;
        _folders = folders;
        _downloader = downloader;
        _blobs = blobs;
        _freshness = freshness;
        _space = space;
        _revalidation = revalidation;
        _lockTimeout = lockTimeout;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Opens <paramref name="path"/>'s cache file for reading: downloaded first when it is missing,
    /// and, when it is due for a check (or <paramref name="forceCheck"/>), checked against the blob
    /// with one HEAD and downloaded again if the blob changed. A local write not yet uploaded is
    /// never replaced.
    /// </summary>
    /// <returns>The open file, and whether it was downloaded (a miss) or was already current (a hit).</returns>
    /// <exception cref="FileNotFoundException">The blob does not exist (any cached copy is removed).</exception>
    public async ValueTask<(FileStream File, bool Downloaded)> OpenAsync(ResolvedPath path, bool forceCheck, bool async, CancellationToken cancellationToken)
    {
        using var fillLock = await FillLock.AcquireAsync(path.CacheRoot, path.CachePath, path.LogicalPath, _lockTimeout, _time, async, cancellationToken).ConfigureAwait(false);

        // A link at the cache path is not a cached file (not even when it points at one): the
        // download replaces the link itself, and its target is never touched.
        if (CacheFileNames.IsCachedFile(path.CachePath))
        {
            // Someone else may have filled or checked it while we waited for the lock: then the record says so.
            var record = CacheRecords.Read(path.CachePath);
            if (!_freshness.IsDue(path, record, forceCheck))
            {
                Log.FilledByAnother(_logger, path.LogicalPath);
                return (OpenLocked(path, async), false);
            }

            if (await IsCurrentAsync(path, record, async, cancellationToken).ConfigureAwait(false))
            {
                return (OpenLocked(path, async), false);
            }
        }

        await DownloadLockedAsync(path, async, cancellationToken).ConfigureAwait(false);
        return (OpenLocked(path, async), true);
    }

    /// <summary>Fills the cache file if it is missing (a write that keeps content, such as Append, starts from it).</summary>
    public async ValueTask FillAsync(ResolvedPath path, bool async, CancellationToken cancellationToken)
    {
        var (file, _) = await OpenAsync(path, forceCheck: false, async, cancellationToken).ConfigureAwait(false);
        await file.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Checks a cached file against its blob with one HEAD, holding its lock.</summary>
    private async ValueTask<bool> IsCurrentAsync(ResolvedPath path, CacheRecord? record, bool async, CancellationToken cancellationToken) =>
        await _revalidation.CheckLockedAsync(path, record, () => _blobs.GetPropertiesAsync(path.Blob, async, cancellationToken), async, cancellationToken).ConfigureAwait(false) switch
        {
            Revalidated.Current => true,
            Revalidated.Changed => false,
            _ => throw Errors.BlobNotFound(path.LogicalPath, path.Blob),
        };

    private async ValueTask DownloadLockedAsync(ResolvedPath path, bool async, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        Log.DownloadStarted(_logger, path.LogicalPath);

        // Only the lock holder writes the partial file, so one fixed name suffices; a leftover from
        // a killed holder never looks cached (it is not at the cache path): a large one whose ranges
        // are recorded is completed, anything else is replaced.
        var partial = CacheFileNames.PartialPath(path.CachePath);
        var ranges = CacheFileNames.RangesPath(path.CachePath);
        var resuming = File.Exists(ranges);
        _fills.Begin(path.CacheRoot);
        long reserved = 0;
        async ValueTask Reserve(BlobProperties blob, bool isAsync, CancellationToken ct)
        {
            if (reserved == 0)
            {
                await _space.ReserveAsync(path.CacheRoot, blob.Length, isAsync, ct).ConfigureAwait(false);
                reserved = blob.Length;
            }
        }

        // A small file's partial file can be a spare made ahead (see SpareFiles): its create was
        // most of a miss's local cost where files are deleted all the time (a bounded cache).
        var root = path.CacheRoot;
        Func<string?>? takeSpare = resuming ? null : () => _folders.TakeSpare(root);

        BlobProperties properties;
        long replaced;
        try
        {
            properties = await _downloader.DownloadAsync(path.Blob, partial, CacheLayout.AzCopyFolder(path.CacheRoot), async, cancellationToken, Reserve, ranges, takeSpare).ConfigureAwait(false)
                ?? throw Errors.BlobNotFound(path.LogicalPath, path.Blob);
            if (properties.IsFolder)
            {
                throw Errors.NotAFile(path.LogicalPath, path.Blob.DisplayName);
            }

            _fills.Complete(path.CacheRoot, partial, flush: resuming);
            replaced = CacheCommit.Replace(partial, path.CachePath, path.Mapping.Revalidates ? CacheRecord.Downloaded(properties, _time.GetUtcNow()) : null);
        }
        catch (Exception ex)
        {
            if (IsWorthResuming(ex) && File.Exists(ranges))
            {
                // What arrived stays for the next Open (or Prepare) to complete, under this lock.
                Log.PartialKept(_logger, path.LogicalPath, partial, ex.Message);
            }
            else
            {
                CacheCommit.DeleteQuietly(partial);
                CacheCommit.DeleteQuietly(ranges);
            }

            _space.Adjust(path.CacheRoot, -reserved);
            if (ex is FileNotFoundException && File.Exists(path.CachePath))
            {
                // Deleted remotely since it was found changed: the stale copy goes too.
                Log.DeletedRemotely(_logger, path.LogicalPath);
                _space.Adjust(path.CacheRoot, -CacheEviction.RemoveLocked(path.CachePath));
            }

            throw;
        }

        CacheCommit.DeleteQuietly(ranges);
        _space.Adjust(path.CacheRoot, -replaced);
        Log.Downloaded(_logger, path.LogicalPath, properties.Length, (long)_time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// Whether a failed download's partial file is kept to be completed later: after an outage that
    /// outlasted the retries, or a cancelled Open, not after a failure that fetching again would
    /// repeat (a full disk, an MD5 mismatch, a missing blob).
    /// </summary>
    private static bool IsWorthResuming(Exception ex) => ex is AzFuseException { IsTransient: true } or OperationCanceledException;

    private FileStream OpenLocked(ResolvedPath path, bool async)
    {
        var file = new FileStream(path.CachePath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, async ? FileOptions.Asynchronous : FileOptions.None);
        _space.MarkOpened(path.CacheRoot, file);
        return file;
    }
}
