using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AzFuse.Remote;

/// <content>A blob's properties, metadata and access tier (Get Blob Properties, Set Blob Metadata, Set Blob Tier).</content>
internal sealed partial class BlobService
{
    /// <summary>Everything a HEAD of the blob tells, as <see cref="FileProperties"/>; <see langword="null"/> when the blob does not exist.</summary>
    public ValueTask<FileProperties?> GetFilePropertiesAsync(BlobLocation blob, string logicalPath, bool async, CancellationToken cancellationToken) =>
        HeadAsync(
            blob,
            p => new FileProperties
            {
                Path = logicalPath,
                Length = p.ContentLength,
                LastModified = p.LastModified,
                CreatedOn = p.CreatedOn,
                ContentType = NullIfEmpty(p.ContentType),
                ContentMd5 = NullIfEmpty(p.ContentHash) is { } md5 ? Convert.ToBase64String(md5) : null,
                ETag = Quoted(p.ETag),
                AccessTier = NullIfEmpty(p.AccessTier),
                ArchiveStatus = NullIfEmpty(p.ArchiveStatus),
                LeaseState = p.LeaseState.ToString().ToLowerInvariant(),
                Metadata = new Dictionary<string, string>(p.Metadata, StringComparer.OrdinalIgnoreCase),
            },
            async,
            cancellationToken);

    /// <summary>Replaces the blob's metadata with <paramref name="metadata"/> (empty clears it); <see langword="false"/> when the blob does not exist.</summary>
    public ValueTask<bool> SetMetadataAsync(BlobLocation blob, IDictionary<string, string> metadata, bool async, CancellationToken cancellationToken) =>
        OnExistingBlobAsync(blob, async (client, isAsync, ct) => _ = isAsync ? await client.SetMetadataAsync(metadata, cancellationToken: ct).ConfigureAwait(false) : client.SetMetadata(metadata, cancellationToken: ct), async, cancellationToken);

    /// <summary>Sets the blob's access tier; <see langword="false"/> when the blob does not exist.</summary>
    public ValueTask<bool> SetAccessTierAsync(BlobLocation blob, AccessTier tier, bool async, CancellationToken cancellationToken) =>
        OnExistingBlobAsync(blob, async (client, isAsync, ct) => _ = isAsync ? await client.SetAccessTierAsync(tier, cancellationToken: ct).ConfigureAwait(false) : client.SetAccessTier(tier, cancellationToken: ct), async, cancellationToken);

    /// <summary>Runs one request on the blob (under the retry policy); <see langword="false"/> when the blob does not exist.</summary>
    private ValueTask<bool> OnExistingBlobAsync(BlobLocation blob, Func<BlobClient, bool, CancellationToken, Task> request, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                try
                {
                    await request(_clients.Blob(blob), isAsync, ct).ConfigureAwait(false);
                    return true;
                }
                catch (RequestFailedException ex) when (StorageFailures.IsBlobNotFound(ex))
                {
                    return false;
                }
            },
            async,
            cancellationToken);

    private static string? NullIfEmpty(AccessTier? tier) => tier is { } t && !string.IsNullOrEmpty(t.ToString()) ? t.ToString() : null;
}
