using System.Buffers;
using System.Security.Cryptography;
using AzFuse.Diagnostics;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>
/// Fetches one range of one version of a blob, hands its bytes on in order as they arrive, checks
/// them against the MD5 the service sent with them (when asked for one), and tries again, this range
/// alone, while the failure may pass: the one piece of every ranged transfer (a parallel download, a
/// streamed block, a range read).
/// </summary>
internal sealed class RangeFetcher
{
    /// <summary>Takes the bytes at <paramref name="at"/> (from the range's start); on a retry the range is handed on again from 0.</summary>
    public delegate ValueTask Sink(long at, ReadOnlyMemory<byte> bytes, bool async, CancellationToken cancellationToken);

    private readonly BlobService _blobs;
    private readonly RetryPolicy _retry;

    public RangeFetcher(BlobService blobs, RetryPolicy retry)
    {
        _blobs = blobs;
        _retry = retry;
    }

    /// <summary>
    /// Fetches <paramref name="length"/> bytes of <paramref name="blob"/> from <paramref name="offset"/>,
    /// of the version <paramref name="etag"/> only.
    /// </summary>
    /// <param name="blob">The blob.</param>
    /// <param name="etag">The version to read; another fails with <see cref="BlobChangedException"/>.</param>
    /// <param name="offset">Where the range starts.</param>
    /// <param name="length">Its length: all of it must arrive.</param>
    /// <param name="withMd5">Ask for the range's MD5 and check the bytes against it (ranges of at most 4 MiB).</param>
    /// <param name="sink">Where the bytes go.</param>
    /// <param name="opened">A GET of this range already answered (the first of a download), used for the first attempt.</param>
    /// <param name="async">Whether to run asynchronously.</param>
    /// <param name="cancellationToken">Stops the fetch.</param>
    /// <returns>The MD5 the service sent for the range, which the bytes matched; <see langword="null"/> when it sent none.</returns>
    public ValueTask<byte[]?> FetchAsync(BlobLocation blob, string etag, long offset, long length, bool withMd5, Sink sink, BlobDownload? opened, bool async, CancellationToken cancellationToken) =>
        _retry.RunAsync(
            async (isAsync, ct) =>
            {
                using var download = Interlocked.Exchange(ref opened, null)
                    ?? (await _blobs.DownloadRangeAsync(blob, offset, length, etag, withMd5, isAsync, ct).ConfigureAwait(false)).Download
                    ?? throw Errors.BlobChanged(blob, etag); // deleted, or cut shorter, meanwhile
                if (download.BodyLength != length)
                {
                    throw Errors.LengthMismatch(blob, length, download.BodyLength);
                }

                if (withMd5 && download.RangeMd5 is null)
                {
                    throw Errors.RangeMd5Missing(blob);
                }

                await ReceiveAsync(download, blob, offset, length, sink, isAsync, ct).ConfigureAwait(false);
                return download.RangeMd5;
            },
            async,
            cancellationToken);

    private static async ValueTask ReceiveAsync(BlobDownload download, BlobLocation blob, long offset, long length, Sink sink, bool async, CancellationToken cancellationToken)
    {
        using var md5 = download.RangeMd5 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSettings.BufferSize);
        try
        {
            long received = 0;
            int read;
            while ((read = await HttpDownloader.ReadBodyAsync(download, blob, buffer.AsMemory(0, (int)Math.Min(buffer.Length, Math.Max(1, length - received))), async, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (received + read > length)
                {
                    throw Errors.LengthMismatch(blob, length, received + read);
                }

                md5?.AppendData(buffer, 0, read);
                await sink(received, buffer.AsMemory(0, read), async, cancellationToken).ConfigureAwait(false);
                received += read;
            }

            if (received != length)
            {
                throw Errors.LengthMismatch(blob, length, received);
            }

            if (md5 is not null && !md5.GetHashAndReset().AsSpan().SequenceEqual(download.RangeMd5))
            {
                throw Errors.RangeMd5Mismatch(blob, offset, length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
