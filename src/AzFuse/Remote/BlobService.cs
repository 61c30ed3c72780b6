using System.Security.Cryptography;
using AzFuse.Configuration;
using AzFuse.Diagnostics;
using AzFuse.Transfer;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using SdkBlobItem = Azure.Storage.Blobs.Models.BlobItem;

namespace AzFuse.Remote;

/// <summary>
/// The Blob service operations the library performs in-process, through the Azure SDK's clients
/// (<see cref="BlobClients"/>), in the library's terms: its own results, its own exceptions, its
/// one retry policy.
/// </summary>
/// <remarks>
/// Each method takes <c>async</c>: the library's synchronous API (Open, Prepare) runs the same
/// code path with the SDK's synchronous methods instead of blocking on a task, as the SDK does.
/// A request the service denies (403) is tried once more if its storage account file changed on
/// disk meanwhile: a SAS rotated by a script works in the same process.
/// </remarks>
internal sealed partial class BlobService
{
    /// <summary>
    /// Uploads up to this size go as one Put Blob whose MD5 the service checks; larger ones go as
    /// blocks. Kept small because the SDK's network timeout bounds a whole request, upload included:
    /// 32 MiB must cross in <see cref="AzFuseOptions.TransferStallTimeout"/> (2 min: 270 KB/s).
    /// </summary>
    internal const long SingleRequestUploadLimit = 32L << 20;

    private const int BlockSize = 8 << 20;
    private const int BlocksInFlight = 8;

    private readonly BlobClients _clients;
    private readonly RetryPolicy _retry;
    private readonly TimeSpan _stallTimeout;
    private readonly ILogger _logger;

    public BlobService(BlobClients clients, RetryPolicy retry, TimeSpan stallTimeout, ILogger logger)
    {
        _clients = clients;
        _retry = retry;
        _stallTimeout = stallTimeout;
        _logger = logger;
    }

    public BlobClients Clients => _clients;

    /// <summary>The blob's properties, or <see langword="null"/> when the blob does not exist.</summary>
    public ValueTask<BlobProperties?> GetPropertiesAsync(BlobLocation blob, bool async, CancellationToken cancellationToken) =>
        HeadAsync(
            blob,
            p => new BlobProperties(p.ContentLength, NullIfEmpty(p.ContentHash), Quoted(p.ETag), p.LastModified, BlobProperties.IsFolderMetadata(p.Metadata)),
            async,
            cancellationToken);

    /// <summary>One HEAD of the blob (Get Blob Properties, retried), mapped by <paramref name="map"/>; <see langword="null"/> when the blob does not exist.</summary>
    private ValueTask<T?> HeadAsync<T>(BlobLocation blob, Func<Azure.Storage.Blobs.Models.BlobProperties, T> map, bool async, CancellationToken cancellationToken)
        where T : class =>
        RunAsync(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                var client = _clients.Blob(blob);
                try
                {
                    var properties = isAsync
                        ? await client.GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false)
                        : client.GetProperties(cancellationToken: ct);
                    return (T?)map(properties.Value);
                }
                catch (RequestFailedException ex) when (StorageFailures.IsBlobNotFound(ex))
                {
                    return null;
                }
            },
            async,
            cancellationToken);

    /// <summary>Starts a GET of the whole blob, or returns <see langword="null"/> when it does not exist. Dispose the result.</summary>
    public ValueTask<BlobDownload?> DownloadAsync(BlobLocation blob, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                var client = _clients.Blob(blob);
                Response<BlobDownloadStreamingResult> response;
                try
                {
                    response = isAsync
                        ? await client.DownloadStreamingAsync(cancellationToken: ct).ConfigureAwait(false)
                        : client.DownloadStreaming(cancellationToken: ct);
                }
                catch (RequestFailedException ex) when (StorageFailures.IsBlobNotFound(ex))
                {
                    return null;
                }

                var details = response.Value.Details;
                var properties = new BlobProperties(
                    details.ContentLength,
                    NullIfEmpty(details.ContentHash) ?? NullIfEmpty(details.BlobContentHash),
                    Quoted(details.ETag),
                    details.LastModified,
                    BlobProperties.IsFolderMetadata(details.Metadata));
                return new BlobDownload(properties, response.Value, _stallTimeout);
            },
            async,
            cancellationToken);

    /// <summary>
    /// Uploads <paramref name="content"/> (seekable, from its position to its end) as a block blob,
    /// replacing any existing blob: its whole-file MD5 is stored with it (so every later download
    /// can be verified), every request's body is checked by the service against its own MD5, and
    /// its Content-Type comes from the name's extension. Nothing is visible until it is complete.
    /// </summary>
    /// <returns>The MD5 of what was uploaded.</returns>
    public async ValueTask<byte[]> UploadAsync(BlobLocation blob, Stream content, bool async, CancellationToken cancellationToken)
    {
        var start = content.Position;
        var length = content.Length - start;
        var md5 = async ? await MD5.HashDataAsync(content, cancellationToken).ConfigureAwait(false) : MD5.HashData(content);
        var headers = new BlobHttpHeaders { ContentHash = md5, ContentType = ContentTypes.Of(blob.BlobName) };
        return await RunAsync(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                content.Position = start;
                try
                {
                    // Up to SingleRequestUploadLimit one Put Blob, above it blocks (several in
                    // flight) committed at the end; every request's body is checked by the service
                    // against the MD5 the SDK sends with it, and the whole file's MD5 is stored.
                    var options = new BlobUploadOptions
                    {
                        HttpHeaders = headers,
                        TransferOptions = new StorageTransferOptions { InitialTransferSize = SingleRequestUploadLimit, MaximumTransferSize = BlockSize, MaximumConcurrency = BlocksInFlight },
                        TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
                    };
                    var client = _clients.Blob(blob);
                    _ = isAsync ? await client.UploadAsync(content, options, ct).ConfigureAwait(false) : client.Upload(content, options, ct);
                }
                catch (RequestFailedException ex) when (ex.Status == 400 && ex.ErrorCode == "Md5Mismatch")
                {
                    // The bytes were damaged on the way (or the file changed while being read).
                    throw Errors.UploadNotConfirmed(blob, "the service received bytes whose MD5 differs from the file's");
                }

                return md5;
            },
            async,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores <paramref name="md5"/> as the blob's Content-MD5 (with its Content-Type), provided the
    /// blob is still the version <paramref name="etag"/> names: for a blob an azcopy pipe upload left without one.
    /// </summary>
    public async ValueTask SetContentMd5Async(BlobLocation blob, byte[] md5, string etag, bool async, CancellationToken cancellationToken) =>
        await RunAsync(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                var client = _clients.Blob(blob);
                var headers = new BlobHttpHeaders { ContentHash = md5, ContentType = ContentTypes.Of(blob.BlobName) };
                var conditions = new BlobRequestConditions { IfMatch = new ETag(etag) };
                _ = isAsync ? await client.SetHttpHeadersAsync(headers, conditions, ct).ConfigureAwait(false) : client.SetHttpHeaders(headers, conditions, ct);
                return true;
            },
            async,
            cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes the blob and its snapshots; <see langword="false"/> when it did not exist.</summary>
    public ValueTask<bool> DeleteAsync(BlobLocation blob, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                var client = _clients.Blob(blob);
                try
                {
                    _ = isAsync
                        ? await client.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct).ConfigureAwait(false)
                        : client.Delete(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct);
                    return true;
                }
                catch (RequestFailedException ex) when (StorageFailures.IsBlobNotFound(ex))
                {
                    return false;
                }
            },
            async,
            cancellationToken);

    /// <summary>
    /// One page of the blobs whose names start with <paramref name="prefix"/>: all of them when
    /// <paramref name="recursive"/>, else those up to the next '/' (deeper ones come as prefixes).
    /// </summary>
    public ValueTask<BlobListPage> ListAsync(StorageAccount account, string prefix, bool recursive, string? marker, int maxResults, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            account,
            account.ContainerName + "/" + prefix,
            async (isAsync, ct) =>
            {
                // Metadata tells the directory entries of a hierarchical namespace from files.
                var container = _clients.Container(account);
                if (recursive)
                {
                    var page = isAsync
                        ? await FirstAsync(container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, ct).AsPages(marker, maxResults)).ConfigureAwait(false)
                        : container.GetBlobs(BlobTraits.Metadata, BlobStates.None, prefix, ct).AsPages(marker, maxResults).First();
                    return new BlobListPage(page.Values.Select(ItemOf).ToList(), [], NullIfEmpty(page.ContinuationToken));
                }

                var level = isAsync
                    ? await FirstAsync(container.GetBlobsByHierarchyAsync(BlobTraits.Metadata, BlobStates.None, "/", prefix, ct).AsPages(marker, maxResults)).ConfigureAwait(false)
                    : container.GetBlobsByHierarchy(BlobTraits.Metadata, BlobStates.None, "/", prefix, ct).AsPages(marker, maxResults).First();
                return new BlobListPage(
                    level.Values.Where(v => v.IsBlob).Select(v => ItemOf(v.Blob)).ToList(),
                    level.Values.Where(v => v.IsPrefix).Select(v => v.Prefix).ToList(),
                    NullIfEmpty(level.ContinuationToken));
            },
            async,
            cancellationToken);

    /// <summary>A user-delegation key of the signed-in identity (Get User Delegation Key), to sign SAS for azcopy and shared URLs.</summary>
    public ValueTask<UserDelegationKey> GetUserDelegationKeyAsync(StorageAccount account, DateTimeOffset startsOn, DateTimeOffset expiresOn, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            account,
            "a user-delegation key of " + account.AccountName,
            async (isAsync, ct) =>
            {
                var service = _clients.Service(account);
                var key = isAsync
                    ? await service.GetUserDelegationKeyAsync(startsOn, expiresOn, ct).ConfigureAwait(false)
                    : service.GetUserDelegationKey(startsOn, expiresOn, ct);
                return key.Value;
            },
            async,
            cancellationToken);

    /// <summary>
    /// Runs one operation under the retry policy, translating the SDK's exceptions; a denied one
    /// is tried once more when its storage account file changed on disk.
    /// </summary>
    private async ValueTask<T> RunAsync<T>(StorageAccount account, string what, Func<bool, CancellationToken, ValueTask<T>> attempt, bool async, CancellationToken cancellationToken)
    {
        var signedWith = _clients.Current(account);
        try
        {
            return await RetriedAsync(account, what, attempt, async, cancellationToken).ConfigureAwait(false);
        }
        catch (AzFuseException ex) when (ex.IsAccessDenied && (_clients.TryReload(account) || !ReferenceEquals(_clients.Current(account), signedWith)))
        {
            // The file changed (or another request already read the change): once more with it.
            Log.RetryingWithNewCredentials(_logger, _clients.Current(account).SourceFile);
            return await RetriedAsync(account, what, attempt, async, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<T> RetriedAsync<T>(StorageAccount account, string what, Func<bool, CancellationToken, ValueTask<T>> attempt, bool async, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.RunAsync(
                async (isAsync, ct) =>
                {
                    try
                    {
                        return await attempt(isAsync, ct).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (StorageFailures.Translate(ex, _clients.Current(account), what, _stallTimeout, ct) is { } translated)
                    {
                        throw translated;
                    }
                },
                async,
                cancellationToken).ConfigureAwait(false);
        }
        catch (AzFuseException ex) when (ex.IsTransient)
        {
            // Retried as long as the policy allows: a transfer around this request gives up at once.
            ex.WasRetried = true;
            throw;
        }
    }

    private static BlobItem ItemOf(SdkBlobItem blob) => new(
        blob.Name,
        blob.Properties.ContentLength ?? 0,
        blob.Properties.ETag is { } etag ? Quoted(etag) : null,
        blob.Properties.LastModified,
        NullIfEmpty(blob.Properties.ContentHash),
        BlobProperties.IsFolderMetadata(blob.Metadata),
        blob.Properties.CreatedOn,
        TierOf(blob.Properties));

    // As the Python tool lists it: an archived blob being rehydrated shows the rehydration.
    private static string? TierOf(BlobItemProperties properties) =>
        properties.ArchiveStatus is { } status && !string.IsNullOrEmpty(status.ToString()) ? status.ToString() : NullIfEmpty(properties.AccessTier);

    private static async ValueTask<Page<T>> FirstAsync<T>(IAsyncEnumerable<Page<T>> pages)
        where T : notnull
    {
        await foreach (var page in pages.ConfigureAwait(false))
        {
            return page;
        }

        throw new InvalidOperationException("A listing returned no page.");
    }

    // HEAD gives the ETag quoted (an HTTP entity tag), a listing bare or quoted by service version:
    // in one spelling, the two compare equal.
    private static string Quoted(ETag etag) => etag.ToString("H");

    private static byte[]? NullIfEmpty(byte[]? bytes) => bytes is { Length: > 0 } ? bytes : null;

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
