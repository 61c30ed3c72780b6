using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AzFuse.Configuration;
using AzFuse.Diagnostics;

namespace AzFuse.Remote;

/// <summary>
/// A small client for the few Blob REST operations the library makes itself, over one shared
/// <see cref="HttpClient"/>. It exists because Azure.Storage.Blobs cannot be restored on the
/// project's build machines; keep it small and behind <see cref="IBlobService"/>.
/// </summary>
internal sealed class BlobRestClient : IBlobService
{
    // One HttpClient per process: sockets are pooled and DNS changes are picked up by
    // recycling pooled connections.
    private static readonly HttpClient s_http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromMinutes(10),
    };

    private readonly TimeProvider _time;

    public BlobRestClient(TimeProvider time)
    {
        _time = time;
    }

    public async ValueTask<BlobProperties?> GetPropertiesAsync(BlobLocation blob, bool async, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(HttpMethod.Head, blob.Account, blob.Uri, content: null);
        using var response = await SendAsync(request, async, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            if (ErrorCode(response) == "ContainerNotFound")
            {
                throw Errors.ContainerNotFound(blob.Account);
            }

            return null;
        }

        EnsureSuccess(response, blob.Account, blob.DisplayName);
        var content = response.Content.Headers;
        return new BlobProperties(
            content.ContentLength ?? throw Errors.UnexpectedResponse(blob.DisplayName, "HEAD returned no Content-Length"),
            content.ContentMD5,
            response.Headers.ETag?.Tag,
            content.LastModified);
    }

    public async ValueTask<bool> CreateContainerIfNotExistsAsync(StorageAccount account, bool async, CancellationToken cancellationToken)
    {
        var uri = new Uri(account.ContainerUri.AbsoluteUri + "?restype=container");
        using var request = CreateRequest(HttpMethod.Put, account, uri, content: new ByteArrayContent([]));
        using var response = await SendAsync(request, async, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict && ErrorCode(response) == "ContainerAlreadyExists")
        {
            return false;
        }

        EnsureSuccess(response, account, account.ContainerName);
        return true;
    }

    public async ValueTask PutBlobAsync(BlobLocation blob, Stream content, bool async, CancellationToken cancellationToken)
    {
        // The MD5 is stored with the blob so that every later download can be verified.
        var start = content.Position;
        var md5 = async
            ? await MD5.HashDataAsync(content, cancellationToken).ConfigureAwait(false)
            : MD5.HashData(content);
        content.Position = start;

        var body = new StreamContent(content);
        body.Headers.ContentLength = content.Length - start;
        body.Headers.ContentMD5 = md5;
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = CreateRequest(HttpMethod.Put, blob.Account, blob.Uri, body, ("x-ms-blob-type", "BlockBlob"));
        using var response = await SendAsync(request, async, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, blob.Account, blob.DisplayName);
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

    private static async ValueTask<HttpResponseMessage> SendAsync(HttpRequestMessage request, bool async, CancellationToken cancellationToken)
    {
        try
        {
            return async
                ? await s_http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false)
                : s_http.Send(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            // HttpRequestException's message names the host and port but never the query string.
            throw Errors.ServiceUnreachable(request.RequestUri!, ex);
        }
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
