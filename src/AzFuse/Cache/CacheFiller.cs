using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Paths;
using AzFuse.Remote;
using AzFuse.Transfer;
using Microsoft.Extensions.Logging;

namespace AzFuse.Cache;

/// <summary>
/// Fills one cache file on a miss: under the file's cross-process lock, so that of many
/// processes asking at once exactly one downloads and the rest wait and then read its result.
/// </summary>
internal sealed class CacheFiller
{
    private readonly FileDownloader _downloader;
    private readonly TimeSpan _lockTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CacheFiller(FileDownloader downloader, TimeSpan lockTimeout, TimeProvider time, ILogger logger)
    {
        _downloader = downloader;
        _lockTimeout = lockTimeout;
        _time = time;
        _logger = logger;
    }

    /// <summary>Makes sure <paramref name="path"/>'s cache file exists, downloading it if no one else does.</summary>
    /// <exception cref="FileNotFoundException">The blob does not exist.</exception>
    public async ValueTask FillAsync(ResolvedPath path, bool async, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path.CachePath)!);
        using var fillLock = await FileLock.AcquireAsync(
            CacheFileNames.LockPath(path.CachePath), _lockTimeout, path.LogicalPath, async, _time, cancellationToken).ConfigureAwait(false);

        // Whoever held the lock before us may have filled it: then there is nothing to do.
        if (File.Exists(path.CachePath))
        {
            Log.FilledByAnother(_logger, path.LogicalPath);
            return;
        }

        var started = _time.GetTimestamp();

        // Only the lock holder writes the partial file, so one fixed name suffices; a leftover
        // from a killed holder is truncated here and never looks cached (it is not at the cache path).
        var partial = CacheFileNames.PartialPath(path.CachePath);
        BlobProperties properties;
        try
        {
            properties = await _downloader.DownloadAsync(path.Blob, partial, CacheLayout.AzCopyFolder(path.CacheRoot), async, cancellationToken).ConfigureAwait(false)
                ?? throw Errors.BlobNotFound(path.LogicalPath, path.Blob);
            CacheCommit.MoveIntoPlace(partial, path.CachePath);
        }
        catch
        {
            CacheCommit.DeleteQuietly(partial);
            throw;
        }

        Log.Downloaded(_logger, path.LogicalPath, properties.Length, (long)_time.GetElapsedTime(started).TotalMilliseconds);
    }
}
