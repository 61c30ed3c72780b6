using System.Diagnostics;
using AzFuse.Diagnostics;
using AzFuse.Remote;
using Microsoft.Extensions.Logging;

namespace AzFuse.Transfer;

/// <summary>
/// Downloads one blob into a file by the route the <see cref="TransferPlanner"/> picks, verified
/// and flushed, and tries again while the failure may pass. Under auto a GET of the first range
/// goes first: its headers tell the size, a small blob (nearly all of a dataset) arrives whole in
/// that request, and a large one continues as parallel ranges (or is handed to azcopy).
/// </summary>
internal sealed class FileDownloader
{
    /// <summary>How often a download starts over because the blob changed under it before it gives up.</summary>
    private const int RestartsForChanges = 3;

    /// <summary>See <see cref="DownloadAsync"/>.</summary>
    public delegate ValueTask BeforeWrite(BlobProperties blob, bool async, CancellationToken cancellationToken);

    private readonly BlobService _blobs;
    private readonly PipeDownloader _pipe;
    private readonly RangedDownloader _ranged;
    private readonly TransferPlanner _planner;
    private readonly RetryPolicy _retry;
    private readonly ChunkSettings _chunks;
    private readonly ILogger _logger;

    public FileDownloader(BlobService blobs, PipeDownloader pipe, RangedDownloader ranged, TransferPlanner planner, RetryPolicy retry, ChunkSettings chunks, ILogger logger)
    {
        _blobs = blobs;
        _pipe = pipe;
        _ranged = ranged;
        _planner = planner;
        _retry = retry;
        _chunks = chunks;
        _logger = logger;
    }

    /// <summary>
    /// Writes the blob to <paramref name="destinationPath"/> (created or truncated). A
    /// <c>beforeWrite</c> callback is told the blob's properties once they are known and before a
    /// byte is written (to make room in the cache); it is called again on each retry.
    /// </summary>
    /// <param name="blob">The blob.</param>
    /// <param name="destinationPath">The file to write.</param>
    /// <param name="azCopyWorkFolder">Where azcopy keeps its plans and logs, if it runs.</param>
    /// <param name="async">Whether to run asynchronously.</param>
    /// <param name="cancellationToken">Stops the download.</param>
    /// <param name="beforeWrite">Told the blob's properties before a byte is written.</param>
    /// <param name="rangeRecordPath">
    /// For a download that may be resumed (a cache fill, under the file's fill lock): where the ranges
    /// of a parallel download are recorded. A record left there by a killed download of the same
    /// version makes this one fetch only the missing ranges.
    /// </param>
    /// <param name="takeSpare">
    /// Gives an empty file made ahead on the destination's file system, renamed to it instead of
    /// creating it (see <c>PartialFile.Create</c>). Only a blob fetched whole by its first GET takes
    /// one: a small file, whose create is a large part of its download.
    /// </param>
    /// <returns>The blob's properties, or <see langword="null"/> when the blob does not exist. Nothing is written for a directory entry (<see cref="BlobProperties.IsFolder"/>).</returns>
    /// <remarks>On an exception the file may hold part of the blob: the caller deletes it (or keeps it, with its record, to resume).</remarks>
    public async ValueTask<BlobProperties?> DownloadAsync(BlobLocation blob, string destinationPath, string azCopyWorkFolder, bool async, CancellationToken cancellationToken, BeforeWrite? beforeWrite = null, string? rangeRecordPath = null, Func<string?>? takeSpare = null)
    {
        var started = Stopwatch.GetTimestamp(); // real time for the duration metric, whatever clock the client was given
        for (var restart = 0; ; restart++)
        {
            try
            {
                return await _retry.RunAsync((isAsync, ct) => AttemptAsync(blob, destinationPath, azCopyWorkFolder, beforeWrite, rangeRecordPath, takeSpare, started, isAsync, ct), async, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when ((ex is not BlobChangedException || restart >= RestartsForChanges) && Telemetry.Failed(upload: false, ex))
            {
                throw; // not reached: the filter only counts
            }
            catch (BlobChangedException) when (restart < RestartsForChanges)
            {
                // Rewritten while it was being downloaded: what is on disk is the old version's.
                Log.DownloadRestarted(_logger, blob.DisplayName);
                if (rangeRecordPath is not null)
                {
                    RangeRecord.Delete(rangeRecordPath);
                }
            }
        }
    }

    private async ValueTask<BlobProperties?> AttemptAsync(BlobLocation blob, string destinationPath, string azCopyWorkFolder, BeforeWrite? beforeWrite, string? rangeRecordPath, Func<string?>? takeSpare, long started, bool async, CancellationToken cancellationToken)
    {
        if (!_planner.StartsWithHttp || (rangeRecordPath is not null && File.Exists(rangeRecordPath)))
        {
            // azcopy forced: a HEAD gives what pipe mode cannot (a clear 404 or 403, the length and MD5
            // to verify). A killed download to resume: a HEAD tells whether the blob is the version on
            // disk, and only the missing ranges are fetched.
            var properties = await _blobs.GetPropertiesAsync(blob, async, cancellationToken).ConfigureAwait(false);
            if (properties is null || properties.IsFolder)
            {
                return properties;
            }

            var route = _planner.ForFile(properties.Length); // azcopy forced and missing: the install hint
            if (beforeWrite is not null)
            {
                await beforeWrite(properties, async, cancellationToken).ConfigureAwait(false);
            }

            if (route == TransferRoute.Http)
            {
                await _ranged.DownloadAsync(blob, properties, destinationPath, rangeRecordPath, first: null, async, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _pipe.DownloadAsync(blob, properties, destinationPath, azCopyWorkFolder, async, cancellationToken).ConfigureAwait(false);
            }

            Telemetry.Transferred(_blobs.Clients.Usage, upload: false, route, properties.Length, Stopwatch.GetElapsedTime(started));
            return properties;
        }

        var (first, exists) = await _blobs.DownloadRangeAsync(blob, 0, _chunks.VerifiedRange, ifMatch: null, withMd5: _chunks.Verify, async, cancellationToken).ConfigureAwait(false);
        if (!exists)
        {
            return null;
        }

        if (first is null)
        {
            // An empty blob: no range of it can be asked for, so the whole of it.
            var whole = await WholeAsync(blob, destinationPath, beforeWrite, async, cancellationToken).ConfigureAwait(false);
            if (whole is { IsFolder: false })
            {
                Telemetry.Transferred(_blobs.Clients.Usage, upload: false, TransferRoute.Http, whole.Length, Stopwatch.GetElapsedTime(started));
            }

            return whole;
        }

        using (first)
        {
            var properties = first.Properties;
            if (properties.IsFolder)
            {
                return properties; // a directory entry: the caller says it is not a file
            }

            if (beforeWrite is not null)
            {
                await beforeWrite(properties, async, cancellationToken).ConfigureAwait(false);
            }

            if (_planner.ForFile(properties.Length) == TransferRoute.Http)
            {
                if (first.BodyLength == properties.Length)
                {
                    await HttpDownloader.ReceiveAsync(first, blob, destinationPath, _chunks.Verify, async, cancellationToken, takeSpare).ConfigureAwait(false);
                }
                else
                {
                    await _ranged.DownloadAsync(blob, properties, destinationPath, rangeRecordPath, first, async, cancellationToken).ConfigureAwait(false);
                }

                Telemetry.Transferred(_blobs.Clients.Usage, upload: false, TransferRoute.Http, properties.Length, Stopwatch.GetElapsedTime(started));
                return properties;
            }

            // Handed to azcopy: leaving the using closes the first range's GET.
            first.Dispose();
            await _pipe.DownloadAsync(blob, properties, destinationPath, azCopyWorkFolder, async, cancellationToken).ConfigureAwait(false);
            Telemetry.Transferred(_blobs.Clients.Usage, upload: false, TransferRoute.Pipe, properties.Length, Stopwatch.GetElapsedTime(started));
            return properties;
        }
    }

    private async ValueTask<BlobProperties?> WholeAsync(BlobLocation blob, string destinationPath, BeforeWrite? beforeWrite, bool async, CancellationToken cancellationToken)
    {
        using var download = await _blobs.DownloadAsync(blob, async, cancellationToken).ConfigureAwait(false);
        if (download is null || download.Properties.IsFolder)
        {
            return download?.Properties;
        }

        if (beforeWrite is not null)
        {
            await beforeWrite(download.Properties, async, cancellationToken).ConfigureAwait(false);
        }

        await HttpDownloader.ReceiveAsync(download, blob, destinationPath, _chunks.Verify, async, cancellationToken).ConfigureAwait(false);
        return download.Properties;
    }
}
