using System.Globalization;
using AzFuse.Diagnostics;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs.Models;

namespace AzFuse.Remote;

/// <content>Ranged GETs: the pieces of a parallel download, a streamed block, a range read.</content>
internal sealed partial class BlobService
{
    /// <summary>
    /// The largest range the service computes an MD5 for (<c>x-ms-range-get-content-md5</c>); a
    /// larger request that asks for one is refused.
    /// </summary>
    public const int MaxVerifiedRange = 4 << 20;

    /// <summary>
    /// Starts a GET of <paramref name="length"/> bytes from <paramref name="offset"/> (fewer at the
    /// end of the blob). With <paramref name="withMd5"/> (ranges of at most <see cref="MaxVerifiedRange"/>)
    /// the service sends the MD5 of the range, in <see cref="BlobDownload.RangeMd5"/>. With
    /// <paramref name="ifMatch"/>, only that version of the blob is read. Dispose the result.
    /// </summary>
    /// <returns>
    /// The open GET, whose <see cref="BlobDownload.Properties"/> describe the whole blob; no GET when
    /// <paramref name="offset"/> is at or past the blob's end (an empty blob included), or when the
    /// blob does not exist (then <c>Exists</c> is <see langword="false"/>).
    /// </returns>
    /// <exception cref="BlobChangedException">The blob is no longer the version <paramref name="ifMatch"/> names.</exception>
    public ValueTask<(BlobDownload? Download, bool Exists)> DownloadRangeAsync(BlobLocation blob, long offset, long length, string? ifMatch, bool withMd5, bool async, CancellationToken cancellationToken) =>
        RunAsync<(BlobDownload? Download, bool Exists)>(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                var options = new BlobDownloadOptions
                {
                    Range = new HttpRange(offset, length),
                    Conditions = ifMatch is null ? null : new BlobRequestConditions { IfMatch = new ETag(ifMatch) },

                    // Checked by the caller as the body streams past: the SDK's own check would buffer the range.
                    TransferValidation = new DownloadTransferValidationOptions { ChecksumAlgorithm = withMd5 ? StorageChecksumAlgorithm.MD5 : StorageChecksumAlgorithm.None, AutoValidateChecksum = false },
                };
                Response<BlobDownloadStreamingResult> response;
                try
                {
                    var client = _clients.Blob(blob);
                    response = isAsync
                        ? await client.DownloadStreamingAsync(options, ct).ConfigureAwait(false)
                        : client.DownloadStreaming(options, ct);
                }
                catch (RequestFailedException ex) when (StorageFailures.IsBlobNotFound(ex))
                {
                    return (null, false);
                }
                catch (RequestFailedException ex) when (ex.Status == 416)
                {
                    // The range starts at or after the end (every range of an empty blob does).
                    return (null, true);
                }
                catch (RequestFailedException ex) when (ex.Status == 412 && ifMatch is not null)
                {
                    throw Errors.BlobChanged(blob, ifMatch);
                }

                var details = response.Value.Details;
                var total = TotalLength(details.ContentRange) ?? details.ContentLength;
                if (details.ContentLength == 0 && offset > 0)
                {
                    // Azurite answers a range past the end with an empty 206 where Azure sends 416.
                    response.Value.Dispose();
                    return (null, true);
                }

                var properties = new BlobProperties(
                    total,
                    NullIfEmpty(details.BlobContentHash) ?? (details.ContentLength == total && !withMd5 ? NullIfEmpty(details.ContentHash) : null),
                    Quoted(details.ETag),
                    details.LastModified,
                    BlobProperties.IsFolderMetadata(details.Metadata));
                return (new BlobDownload(properties, response.Value, _stallTimeout, details.ContentLength, withMd5 ? NullIfEmpty(details.ContentHash) : null), true);
            },
            async,
            cancellationToken);

    /// <summary>The blob's length from a Content-Range header ("bytes 0-99/1000" gives 1000).</summary>
    private static long? TotalLength(string? contentRange)
    {
        var slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total) ? total : null;
    }
}
