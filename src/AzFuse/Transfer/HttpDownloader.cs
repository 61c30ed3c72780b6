using System.Buffers;
using AzFuse.Diagnostics;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>Streams the body of a blob's GET into a file, verifying what arrives.</summary>
internal static class HttpDownloader
{
    /// <summary>
    /// Writes <paramref name="download"/>'s body, the whole blob, to <paramref name="destinationPath"/>
    /// (created or truncated) and flushes it to disk. Throws when the body breaks off, stalls, or does
    /// not match the blob's length, or (when <paramref name="verify"/>) its MD5 or the MD5 the service
    /// sent with it; the caller removes the file then. With <paramref name="takeSpare"/>, the file
    /// may be an empty one made ahead, renamed (see <see cref="PartialFile.Create"/>).
    /// </summary>
    public static async ValueTask ReceiveAsync(BlobDownload download, BlobLocation blob, string destinationPath, bool verify, bool async, CancellationToken cancellationToken, Func<string?>? takeSpare = null)
    {
        using var file = new VerifiedFile(destinationPath, blob, download.Properties, async, verify, download.RangeMd5, takeSpare);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(download.Properties.Length, 1, 1 << 20));
        try
        {
            int read;
            while ((read = await ReadBodyAsync(download, blob, buffer, async, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await file.WriteAsync(buffer, read, async, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        file.Complete();
    }

    /// <summary>
    /// Reads the next bytes of a GET's body into <paramref name="buffer"/>; 0 at its end. A body that
    /// breaks off or stalls is a transient failure naming the blob (a write that fails, such as a full
    /// disk, is the caller's and is not retried as one).
    /// </summary>
    public static async ValueTask<int> ReadBodyAsync(BlobDownload download, BlobLocation blob, Memory<byte> buffer, bool async, CancellationToken cancellationToken)
    {
        try
        {
            return async ? await download.Content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) : download.Content.Read(buffer.Span);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw ex is OperationCanceledException
                ? Errors.RequestTimedOut(blob.Uri, download.StallTimeout, ex)
                : Errors.DownloadInterrupted(blob, ex);
        }
    }
}
