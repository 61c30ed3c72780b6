using AzFuse.Configuration;

namespace AzFuse.Remote;

/// <summary>
/// The Blob service operations the library performs in-process (everything else goes through
/// azcopy). It is the only seam to the REST client, so that Azure.Storage.Blobs can replace
/// <see cref="BlobRestClient"/> without touching the rest of the library.
/// </summary>
/// <remarks>
/// Each method takes <c>async</c>: the library's synchronous API (Open, Prepare) runs the same
/// code path with blocking I/O instead of blocking on a task, as the Azure SDK does.
/// </remarks>
internal interface IBlobService
{
    /// <summary>The blob's properties, or <see langword="null"/> when the blob does not exist.</summary>
    ValueTask<BlobProperties?> GetPropertiesAsync(BlobLocation blob, bool async, CancellationToken cancellationToken);

    /// <summary>Creates the account's container; <see langword="false"/> when it already exists.</summary>
    ValueTask<bool> CreateContainerIfNotExistsAsync(StorageAccount account, bool async, CancellationToken cancellationToken);

    /// <summary>Uploads <paramref name="content"/> (seekable, read to its end) as a block blob, replacing any existing blob.</summary>
    ValueTask PutBlobAsync(BlobLocation blob, Stream content, bool async, CancellationToken cancellationToken);
}
