using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Xml.Linq;
using AzFuse.Configuration;
using AzFuse.Diagnostics;
using AzFuse.Transfer;
using Polly;

namespace AzFuse.Remote;

/// <summary>
/// A small client for the Blob REST operations the library makes itself, over one shared
/// <see cref="HttpClient"/>. It exists because Azure.Storage.Blobs cannot be restored on the
/// project's build machines; keep it small and behind <see cref="IBlobService"/>.
/// </summary>
/// <remarks>
/// Every request is retried through <c>retry</c> while its failure is transient (unreachable,
/// timed out, 408, 429, 5xx), and cancelled when it makes no progress for the idle timeout.
/// An exception that leaves after its retries is marked, so that callers which retry whole
/// transfers do not retry it again.
/// </remarks>
internal sealed class BlobRestClient : IBlobService
{
    // One HttpClient per process: sockets are pooled and DNS changes are picked up by
    // recycling pooled connections. Time limits are per request (IdleTimeout), so that a long
    // transfer that still moves is never cut off.
    private static readonly HttpClient s_http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = 256,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _retry;
    private readonly TimeSpan _idleTimeout;

    public BlobRestClient(TimeProvider time, ResiliencePipeline retry, TimeSpan idleTimeout)
    {
        _time = time;
        _retry = retry;
        _idleTimeout = idleTimeout;
    }

    public ValueTask<BlobProperties?> GetPropertiesAsync(BlobLocation blob, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            async (isAsync, ct) =>
            {
                using var idle = new IdleTimeout(_idleTimeout, _time, ct);
                using var request = CreateRequest(HttpMethod.Head, blob.Account, blob.Uri, content: null);
                using var response = await SendAsync(request, idle, isAsync, ct).ConfigureAwait(false);
                if (IsBlobNotFound(response, blob.Account))
                {
                    return null;
                }

                EnsureSuccess(response, blob.Account, blob.DisplayName);
                return PropertiesOf(response, blob);
            },
            async,
            cancellationToken);

    public ValueTask<BlobDownload?> DownloadAsync(BlobLocation blob, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            async (isAsync, ct) =>
            {
                var idle = new IdleTimeout(_idleTimeout, _time, ct);
                HttpResponseMessage? response = null;
                try
                {
                    using (var request = CreateRequest(HttpMethod.Get, blob.Account, blob.Uri, content: null))
                    {
                        response = await SendAsync(request, idle, isAsync, ct).ConfigureAwait(false);
                    }

                    if (IsBlobNotFound(response, blob.Account))
                    {
                        response.Dispose();
                        idle.Dispose();
                        return null;
                    }

                    EnsureSuccess(response, blob.Account, blob.DisplayName);
                    var properties = PropertiesOf(response, blob);
                    var body = isAsync
                        ? await response.Content.ReadAsStreamAsync(idle.Token).ConfigureAwait(false)
                        : response.Content.ReadAsStream(idle.Token);

                    // A synchronous read does not watch a token: closing the response is what
                    // ends a read that hangs.
                    var owned = response;
                    idle.Token.Register(owned.Dispose);
                    return new BlobDownload(properties, response, body, idle);
                }
                catch
                {
                    response?.Dispose();
                    idle.Dispose();
                    throw;
                }
            },
            async,
            cancellationToken);

    public async ValueTask<byte[]> PutBlobAsync(BlobLocation blob, Stream content, bool async, CancellationToken cancellationToken)
    {
        // The MD5 goes with the request: the service rejects a body that does not match it, and
        // stores it with the blob so that every later download can be verified.
        var start = content.Position;
        var length = content.Length - start;
        var md5 = async ? await MD5.HashDataAsync(content, cancellationToken).ConfigureAwait(false) : MD5.HashData(content);
        return await RunAsync(
            async (isAsync, ct) =>
            {
                using var idle = new IdleTimeout(_idleTimeout, _time, ct);
                var body = new SeekableContent(content, start, length, idle.Touch);
                body.Headers.ContentLength = length;
                body.Headers.ContentMD5 = md5;
                body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                using var request = CreateRequest(
                    HttpMethod.Put,
                    blob.Account,
                    blob.Uri,
                    body,
                    ("x-ms-blob-type", "BlockBlob"),
                    ("x-ms-blob-content-md5", Convert.ToBase64String(md5)));
                using var response = await SendAsync(request, idle, isAsync, ct).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.BadRequest && ErrorCode(response) == "Md5Mismatch")
                {
                    // The bytes were damaged on the way (or the file changed while being read).
                    throw Errors.UploadNotConfirmed(blob, "the service received bytes whose MD5 differs from the file's");
                }

                EnsureSuccess(response, blob.Account, blob.DisplayName);
                return md5;
            },
            async,
            cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<bool> DeleteBlobAsync(BlobLocation blob, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            async (isAsync, ct) =>
            {
                using var idle = new IdleTimeout(_idleTimeout, _time, ct);
                using var request = CreateRequest(HttpMethod.Delete, blob.Account, blob.Uri, content: null, ("x-ms-delete-snapshots", "include"));
                using var response = await SendAsync(request, idle, isAsync, ct).ConfigureAwait(false);
                if (IsBlobNotFound(response, blob.Account))
                {
                    return false;
                }

                EnsureSuccess(response, blob.Account, blob.DisplayName);
                return true;
            },
            async,
            cancellationToken);

    public ValueTask<BlobListPage> ListBlobsAsync(StorageAccount account, string prefix, bool recursive, string? marker, int maxResults, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            async (isAsync, ct) =>
            {
                var query = "?restype=container&comp=list&prefix=" + Uri.EscapeDataString(prefix) +
                    "&maxresults=" + maxResults.ToString(CultureInfo.InvariantCulture) +
                    (recursive ? string.Empty : "&delimiter=%2F") +
                    (marker is null ? string.Empty : "&marker=" + Uri.EscapeDataString(marker));
                using var idle = new IdleTimeout(_idleTimeout, _time, ct);
                using var request = CreateRequest(HttpMethod.Get, account, new Uri(account.ContainerUri.AbsoluteUri + query), content: null);
                using var response = await SendAsync(request, idle, isAsync, ct).ConfigureAwait(false);
                EnsureSuccess(response, account, account.ContainerName + "/" + prefix);
                try
                {
                    var body = isAsync
                        ? await response.Content.ReadAsStreamAsync(idle.Token).ConfigureAwait(false)
                        : response.Content.ReadAsStream(idle.Token);
                    var document = isAsync
                        ? await XDocument.LoadAsync(body, LoadOptions.None, idle.Token).ConfigureAwait(false)
                        : XDocument.Load(body);
                    return BlobListParser.Parse(document);
                }
                catch (Exception ex) when (ex is System.Xml.XmlException or FormatException)
                {
                    throw Errors.UnexpectedResponse(account.ContainerName, "the blob listing is not valid XML: " + ex.Message);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException)
                {
                    throw Errors.ServiceUnreachable(account.ContainerUri, ex);
                }
            },
            async,
            cancellationToken);

    public ValueTask<bool> CreateContainerIfNotExistsAsync(StorageAccount account, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            async (isAsync, ct) =>
            {
                using var idle = new IdleTimeout(_idleTimeout, _time, ct);
                var uri = new Uri(account.ContainerUri.AbsoluteUri + "?restype=container");
                using var request = CreateRequest(HttpMethod.Put, account, uri, content: new ByteArrayContent([]));
                using var response = await SendAsync(request, idle, isAsync, ct).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Conflict && ErrorCode(response) == "ContainerAlreadyExists")
                {
                    return false;
                }

                EnsureSuccess(response, account, account.ContainerName);
                return true;
            },
            async,
            cancellationToken);

    /// <summary>Runs one operation under the retry pipeline: async, or blocking from start to end (never sync-over-async).</summary>
    private async ValueTask<T> RunAsync<T>(Func<bool, CancellationToken, ValueTask<T>> attempt, bool async, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.RunAsync(attempt, async, cancellationToken).ConfigureAwait(false);
        }
        catch (AzFuseException ex) when (ex.IsTransient)
        {
            ex.WasRetried = true;
            throw;
        }
    }

    /// <remarks>Every header must be added here: Shared Key signs them all, so none may follow the signature.</remarks>
    private HttpRequestMessage CreateRequest(HttpMethod method, StorageAccount account, Uri uri, HttpContent? content, params (string Name, string Value)[] headers)
    {
        // Shared Key when there is a key (it can also create containers); the SAS otherwise;
        // anonymous for a public container.
        var target = account.AccountKey is null && account.SasToken is not null
            ? SasProvider.AppendSas(uri, account.SasToken)
            : uri;
        var request = new HttpRequestMessage(method, target) { Content = content };
        request.Headers.Add("x-ms-version", StorageVersion.Current);
        request.Headers.Add("x-ms-date", _time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture));
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        if (account.AccountKey is not null)
        {
            SharedKeySigner.Sign(request, account.AccountName, account.AccountKey);
        }

        return request;
    }

    private static async ValueTask<HttpResponseMessage> SendAsync(HttpRequestMessage request, IdleTimeout idle, bool async, CancellationToken cancellationToken)
    {
        try
        {
            return async
                ? await s_http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token).ConfigureAwait(false)
                : s_http.Send(request, HttpCompletionOption.ResponseHeadersRead, idle.Token);
        }
        catch (HttpRequestException ex)
        {
            // HttpRequestException's message names the host and port but never the query string.
            throw Errors.ServiceUnreachable(request.RequestUri!, ex);
        }
        catch (OperationCanceledException ex) when (idle.HasExpired && !cancellationToken.IsCancellationRequested)
        {
            throw Errors.RequestTimedOut(request.RequestUri!, idle.Timeout, ex);
        }
    }

    private static BlobProperties PropertiesOf(HttpResponseMessage response, BlobLocation blob)
    {
        var content = response.Content.Headers;
        return new BlobProperties(
            content.ContentLength ?? throw Errors.UnexpectedResponse(blob.DisplayName, "the response has no Content-Length"),
            content.ContentMD5,
            response.Headers.ETag?.Tag,
            content.LastModified);
    }

    /// <summary>A 404 for the blob; a missing container is an error that needs a fix, so it throws.</summary>
    private static bool IsBlobNotFound(HttpResponseMessage response, StorageAccount account)
    {
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            return false;
        }

        if (ErrorCode(response) == "ContainerNotFound")
        {
            throw Errors.ContainerNotFound(account);
        }

        return true;
    }

    private static void EnsureSuccess(HttpResponseMessage response, StorageAccount account, string what)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var code = ErrorCode(response);
        throw response.StatusCode switch
        {
            HttpStatusCode.Forbidden => Errors.AccessDenied(account, what, code),
            HttpStatusCode.NotFound when code == "ContainerNotFound" => Errors.ContainerNotFound(account),
            _ => Errors.ServiceError(account, what, (int)response.StatusCode, code),
        };
    }

    private static string? ErrorCode(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-ms-error-code", out var values) ? values.FirstOrDefault() : null;
}
