using System.Buffers;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>Streams the body of a blob's GET into a file, verifying what arrives.</summary>
internal static class HttpDownloader
{
    /// <summary>
    /// Writes <paramref name="download"/>'s body to <paramref name="destinationPath"/> (created or
    /// truncated) and flushes it to disk. Throws when the body breaks off, stalls, or does not match
    /// the blob's length or MD5; the caller removes the file then.
    /// </summary>
    public static async ValueTask ReceiveAsync(BlobDownload download, BlobLocation blob, string destinationPath, bool async, CancellationToken cancellationToken)
    {
        using var file = new VerifiedFile(destinationPath, blob, download.Properties, async);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(download.Properties.Length, 1, 1 << 20));
        try
        {
            int read;
            while ((read = async ? await download.Content.ReadAsync(buffer, download.Token).ConfigureAwait(false) : download.Content.Read(buffer)) > 0)
            {
                await file.WriteAsync(buffer, read, async, cancellationToken).ConfigureAwait(false);
                download.Progress();
            }
        }
        catch (Exception ex) when (ex is (IOException and not DiskFullException) or ObjectDisposedException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw download.HasStalled
                ? Errors.RequestTimedOut(blob.Uri, download.IdleTimeout, ex)
                : Errors.DownloadInterrupted(blob, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        file.Complete();
    }
}
