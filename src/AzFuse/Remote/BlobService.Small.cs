using AzFuse.Diagnostics;
using Azure;
using Azure.Storage.Blobs.Models;

namespace AzFuse.Remote;

/// <content>Small blobs the library writes and reads whole, such as a commit's manifest.</content>
internal sealed partial class BlobService
{
    /// <summary>
    /// Creates the blob with <paramref name="content"/> unless it exists (If-None-Match: *), so
    /// that of several processes racing to create it exactly one does.
    /// </summary>
    /// <returns>Whether this call created it.</returns>
    public ValueTask<bool> CreateIfAbsentAsync(BlobLocation blob, byte[] content, bool async, CancellationToken cancellationToken) =>
        UploadSmallAsync(blob, content, new BlobRequestConditions { IfNoneMatch = ETag.All }, async, cancellationToken);

    /// <summary>Writes the blob with <paramref name="content"/>, replacing it.</summary>
    public async ValueTask WriteSmallAsync(BlobLocation blob, byte[] content, bool async, CancellationToken cancellationToken) =>
        await UploadSmallAsync(blob, content, conditions: null, async, cancellationToken).ConfigureAwait(false);

    /// <summary>The whole content of a small blob, checked against its stored MD5; <see langword="null"/> when it does not exist.</summary>
    public async ValueTask<byte[]?> ReadSmallAsync(BlobLocation blob, bool async, CancellationToken cancellationToken)
    {
        using var download = await DownloadAsync(blob, async, cancellationToken).ConfigureAwait(false);
        if (download is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        try
        {
            if (async)
            {
                await download.Content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                download.Content.CopyTo(buffer);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw Errors.DownloadInterrupted(blob, ex);
        }

        var bytes = buffer.ToArray();
        if (download.Properties.ContentMd5 is { } md5 && !System.Security.Cryptography.MD5.HashData(bytes).AsSpan().SequenceEqual(md5))
        {
            throw Errors.Md5Mismatch(blob);
        }

        return bytes;
    }

    private ValueTask<bool> UploadSmallAsync(BlobLocation blob, byte[] content, BlobRequestConditions? conditions, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                var options = new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentHash = System.Security.Cryptography.MD5.HashData(content), ContentType = ContentTypes.Of(blob.BlobName) },
                    Conditions = conditions,
                };
                var client = _clients.Blob(blob);
                try
                {
                    _ = isAsync
                        ? await client.UploadAsync(new BinaryData(content), options, ct).ConfigureAwait(false)
                        : client.Upload(new BinaryData(content), options, ct);
                    return true;
                }
                catch (RequestFailedException ex) when (conditions is not null && ex.Status is 409 or 412)
                {
                    return false; // it exists: someone else created it
                }
            },
            async,
            cancellationToken);
}
