using System.Globalization;
using AzFuse.Diagnostics;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>
/// The check that lets a pending-upload record go: the blob exists now with exactly the length
/// and MD5 of what was sent. Until then the record and the content stay.
/// </summary>
internal static class UploadConfirmation
{
    public static async ValueTask ConfirmAsync(BlobService blobs, BlobLocation blob, long length, byte[] md5, bool async, CancellationToken cancellationToken)
    {
        var properties = await blobs.GetPropertiesAsync(blob, async, cancellationToken).ConfigureAwait(false)
            ?? throw Errors.UploadNotConfirmed(blob, "the blob does not exist after the upload");
        if (properties.Length != length)
        {
            throw Errors.UploadNotConfirmed(blob, string.Create(CultureInfo.InvariantCulture, $"the blob has {properties.Length} bytes, {length} were sent (written again meanwhile by another process?)"));
        }

        if (properties.ContentMd5 is { } stored)
        {
            if (!stored.AsSpan().SequenceEqual(md5))
            {
                throw Errors.UploadNotConfirmed(blob, "the blob's Content-MD5 differs from the bytes that were sent (written again meanwhile by another process?)");
            }

            return;
        }

        // azcopy's pipe mode can leave a large blob without Content-MD5, and then no download could
        // ever verify it: store the MD5 of what was sent, on this version of the blob only (a newer
        // write by someone else keeps its own).
        await blobs.SetContentMd5Async(blob, md5, properties.ETag!, async, cancellationToken).ConfigureAwait(false);
    }
}
