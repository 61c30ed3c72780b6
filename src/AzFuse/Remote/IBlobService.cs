using AzFuse.Configuration;

namespace AzFuse.Remote;

/// <summary>
/// The Blob service operations the library performs in-process. It is the only seam to the REST
/// client, so that Azure.Storage.Blobs can replace <see cref="BlobRestClient"/> without touching
/// the rest of the library. Implementations retry transient failures themselves.
/// </summary>
/// <remarks>
/// Each method takes <c>async</c>: the library's synchronous API (Open, Prepare) runs the same
/// code path with blocking I/O instead of blocking on a task, as the Azure SDK does.
/// </remarks>
internal interface IBlobService
{
    /// <summary>The blob's properties, or <see langword="null"/> when the blob does not exist.</summary>
    ValueTask<BlobProperties?> GetPropertiesAsync(BlobLocation blob, bool async, CancellationToken cancellationToken);

    /// <summary>Starts a GET of the whole blob, or returns <see langword="null"/> when it does not exist. Dispose the result.</summary>
    ValueTask<BlobDownload?> DownloadAsync(BlobLocation blob, bool async, CancellationToken cancellationToken);

    /// <summary>
    /// Uploads <paramref name="content"/> (seekable, from its position to its end) as a block blob
    /// in one request, replacing any existing blob, with its MD5 checked by the service and stored.
    /// </summary>
    /// <returns>The MD5 of what was uploaded.</returns>
    ValueTask<byte[]> PutBlobAsync(BlobLocation blob, Stream content, bool async, CancellationToken cancellationToken);

    /// <summary>Deletes the blob and its snapshots; <see langword="false"/> when it did not exist.</summary>
    ValueTask<bool> DeleteBlobAsync(BlobLocation blob, bool async, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the blobs whose names start with <paramref name="prefix"/>: all of them when
    /// <paramref name="recursive"/>, else those up to the next '/' (deeper ones come as prefixes).
    /// </summary>
    ValueTask<BlobListPage> ListBlobsAsync(StorageAccount account, string prefix, bool recursive, string? marker, int maxResults, bool async, CancellationToken cancellationToken);

    /// <summary>Creates the account's container; <see langword="false"/> when it already exists.</summary>
    ValueTask<bool> CreateContainerIfNotExistsAsync(StorageAccount account, bool async, CancellationToken cancellationToken);
}
