using System.Diagnostics;
using AzFuse.Diagnostics;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>
/// Downloads one blob into a file by the route the <see cref="TransferPlanner"/> picks, verified
/// and flushed, and tries again while the failure may pass. Under auto the GET goes first: its
/// headers tell the size, a small blob (nearly all of a dataset) arrives in the same request, and
/// only a large one is handed to azcopy.
/// </summary>
internal sealed class FileDownloader
{
    /// <summary>See <see cref="DownloadAsync"/>.</summary>
    public delegate ValueTask BeforeWrite(BlobProperties blob, bool async, CancellationToken cancellationToken);

    private readonly BlobService _blobs;
    private readonly PipeDownloader _pipe;
    private readonly TransferPlanner _planner;
    private readonly RetryPolicy _retry;

    public FileDownloader(BlobService blobs, PipeDownloader pipe, TransferPlanner planner, RetryPolicy retry)
    {
        _blobs = blobs;
        _pipe = pipe;
        _planner = planner;
        _retry = retry;
    }

    /// <summary>
    /// Writes the blob to <paramref name="destinationPath"/> (created or truncated). A
    /// <c>beforeWrite</c> callback is told the blob's properties once they are known and before a
    /// byte is written (to make room in the cache); it is called again on each retry.
    /// </summary>
    /// <returns>The blob's properties, or <see langword="null"/> when the blob does not exist. Nothing is written for a directory entry (<see cref="BlobProperties.IsFolder"/>).</returns>
    /// <remarks>On an exception the file may hold part of the blob: the caller deletes it.</remarks>
    public async ValueTask<BlobProperties?> DownloadAsync(BlobLocation blob, string destinationPath, string azCopyWorkFolder, bool async, CancellationToken cancellationToken, BeforeWrite? beforeWrite = null)
    {
        var started = Stopwatch.GetTimestamp(); // real time for the duration metric, whatever clock the client was given
        try
        {
            return await _retry.RunAsync((isAsync, ct) => AttemptAsync(blob, destinationPath, azCopyWorkFolder, beforeWrite, started, isAsync, ct), async, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Telemetry.Failed(upload: false, ex))
        {
            throw; // not reached: the filter only counts
        }
    }

    private async ValueTask<BlobProperties?> AttemptAsync(BlobLocation blob, string destinationPath, string azCopyWorkFolder, BeforeWrite? beforeWrite, long started, bool async, CancellationToken cancellationToken)
    {
        BlobProperties? properties;
        if (!_planner.StartsWithHttp)
        {
            // azcopy forced: a HEAD gives what pipe mode cannot (a clear 404 or 403, the length and MD5 to verify).
            properties = await _blobs.GetPropertiesAsync(blob, async, cancellationToken).ConfigureAwait(false);
            if (properties is null || properties.IsFolder)
            {
                return properties;
            }

            _planner.ForFile(properties.Length); // azcopy missing: the install hint
            if (beforeWrite is not null)
            {
                await beforeWrite(properties, async, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            using var download = await _blobs.DownloadAsync(blob, async, cancellationToken).ConfigureAwait(false);
            if (download is null)
            {
                return null;
            }

            properties = download.Properties;
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
                await HttpDownloader.ReceiveAsync(download, blob, destinationPath, async, cancellationToken).ConfigureAwait(false);
                Telemetry.Transferred(_blobs.Clients.Usage, upload: false, TransferRoute.Http, properties.Length, Stopwatch.GetElapsedTime(started));
                return properties;
            }

            // Large: leaving the using closes the GET unread, and azcopy takes over.
        }

        await _pipe.DownloadAsync(blob, properties, destinationPath, azCopyWorkFolder, async, cancellationToken).ConfigureAwait(false);
        Telemetry.Transferred(_blobs.Clients.Usage, upload: false, TransferRoute.Pipe, properties.Length, Stopwatch.GetElapsedTime(started));
        return properties;
    }
}
