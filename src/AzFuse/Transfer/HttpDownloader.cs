using System.Buffers;
using AzFuse.Diagnostics;
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
            while (true)
            {
                int read;
                try
                {
                    read = async ? await download.Content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) : download.Content.Read(buffer);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    // Only the reading side is a broken transfer; a write that fails (a full disk) is not retried as one.
                    throw ex is OperationCanceledException
                        ? Errors.RequestTimedOut(blob.Uri, download.StallTimeout, ex)
                        : Errors.DownloadInterrupted(blob, ex);
                }

                if (read == 0)
                {
                    break;
                }

                await file.WriteAsync(buffer, read, async, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        file.Complete();
    }
}
