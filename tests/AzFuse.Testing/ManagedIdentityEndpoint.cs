using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace AzFuse.Testing;

/// <summary>What <see cref="ManagedIdentityEndpoint"/> does with a request.</summary>
public enum ManagedIdentityEndpointMode
{
    /// <summary>
    /// Answers a well-formed request with a token Azurite accepts (an App Service request with a
    /// wrong or missing secret gets 401; an IMDS request is answered with or without <c>Metadata: true</c>).
    /// </summary>
    Answer,

    /// <summary>Accepts the TCP connection, reads the request and never answers: a hanging endpoint.</summary>
    NeverAnswer,

    /// <summary>Answers 400 with an error body, as App Service does for an identity it does not know.</summary>
    Reject,
}

/// <summary>
/// One request the endpoint received: its path and query parameters, and whether it carried the
/// header its protocol requires (App Service: <c>X-IDENTITY-HEADER</c> with the secret; IMDS: <c>Metadata: true</c>).
/// </summary>
public sealed record ManagedIdentityTokenRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, bool SecretMatched)
{
    /// <summary>True for a request in the IMDS protocol (path <c>/metadata/identity/oauth2/token</c>).</summary>
    public bool IsImds => Path == ManagedIdentityEndpoint.ImdsTokenPath;

    /// <summary>The <c>resource</c> parameter (for storage: <c>https://storage.azure.com</c>).</summary>
    public string? Resource => Query.GetValueOrDefault("resource");

    /// <summary>The <c>client_id</c> parameter, sent for a user-assigned identity chosen by client id.</summary>
    public string? ClientId => Query.GetValueOrDefault("client_id");

    /// <summary>The <c>api-version</c> parameter (App Service: <c>2019-08-01</c>).</summary>
    public string? ApiVersion => Query.GetValueOrDefault("api-version");
}

/// <summary>
/// A stand-in for App Service's managed-identity endpoint on a free loopback port: what
/// Azure.Identity's ManagedIdentityCredential (through MSAL) talks to when
/// <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c> are set (and
/// <c>IDENTITY_SERVER_THUMBPRINT</c>, which would mean Service Fabric, is not). The protocol:
/// <c>GET IDENTITY_ENDPOINT?api-version=2019-08-01&amp;resource=RESOURCE[&amp;client_id=ID]</c>
/// with header <c>X-IDENTITY-HEADER: IDENTITY_HEADER</c>; the answer is JSON
/// <c>{"access_token", "expires_on" (Unix seconds, as a string), "resource", "token_type", "client_id"}</c>.
/// Tokens come from <see cref="AzuriteTokens"/>, so Azurite accepts them.
/// <para>
/// It also answers the IMDS protocol (<c>GET /metadata/identity/oauth2/token?api-version=2018-02-01&amp;resource=...</c>
/// with <c>Metadata: true</c>), which MSAL sends to <c>AZURE_POD_IDENTITY_AUTHORITY_HOST</c> instead of
/// 169.254.169.254 when that variable is set (<see cref="ImdsEnvironmentVariables"/>): a child process
/// given it can run DefaultAzureCredential or a ManagedIdentityCredential without IDENTITY_ENDPOINT
/// and still never reach the real IMDS address.
/// </para>
/// </summary>
/// <remarks>
/// Point a credential at it only through <see cref="EnvironmentVariables"/> in a child process's
/// environment (or in a test collection that runs alone): environment variables are
/// process-wide, and a ManagedIdentityCredential that finds none of them probes IMDS at
/// 169.254.169.254, which must never be reached from a test machine's own network.
/// </remarks>
public sealed class ManagedIdentityEndpoint : IAsyncDisposable
{
    /// <summary>The header that carries the secret.</summary>
    public const string SecretHeader = "X-IDENTITY-HEADER";

    /// <summary>The path of IMDS's token endpoint.</summary>
    public const string ImdsTokenPath = "/metadata/identity/oauth2/token";

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ManagedIdentityTokenRequest> _requests = new();
    private readonly ConcurrentBag<TcpClient> _held = [];
    private readonly Task _acceptLoop;
    private int _connections;
    private int _issued;
    private int _disposed;

    private ManagedIdentityEndpoint(ManagedIdentityEndpointMode mode, TimeSpan tokenLifetime)
    {
        Mode = mode;
        TokenLifetime = tokenLifetime;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/msi/token");
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The URL to put in <c>IDENTITY_ENDPOINT</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The secret to put in <c>IDENTITY_HEADER</c>; requests must send it as <see cref="SecretHeader"/>.</summary>
    public string Secret { get; } = Guid.NewGuid().ToString("N");

    /// <summary><c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c>, for a child process's environment.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables => new Dictionary<string, string>
    {
        ["IDENTITY_ENDPOINT"] = Endpoint.AbsoluteUri,
        ["IDENTITY_HEADER"] = Secret,
    };

    /// <summary>
    /// <c>AZURE_POD_IDENTITY_AUTHORITY_HOST</c> pointing at this endpoint: MSAL then sends IMDS
    /// requests here instead of to 169.254.169.254.
    /// </summary>
    public IReadOnlyDictionary<string, string> ImdsEnvironmentVariables => new Dictionary<string, string>
    {
        ["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = $"http://127.0.0.1:{Endpoint.Port}",
    };

    /// <summary>What the endpoint does with the next request; can be changed at any time.</summary>
    public ManagedIdentityEndpointMode Mode { get; set; }

    /// <summary>The lifetime of the tokens it issues. Default: one hour.</summary>
    public TimeSpan TokenLifetime { get; set; }

    /// <summary>TCP connections accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>Tokens issued so far.</summary>
    public int IssuedCount => Volatile.Read(ref _issued);

    /// <summary>Every request read so far, in order of arrival (including unanswered ones).</summary>
    public IReadOnlyList<ManagedIdentityTokenRequest> Requests => [.. _requests];

    /// <summary>Starts listening on 127.0.0.1 at a free port.</summary>
    public static ManagedIdentityEndpoint Start(ManagedIdentityEndpointMode mode = ManagedIdentityEndpointMode.Answer, TimeSpan? tokenLifetime = null) =>
        new(mode, tokenLifetime ?? TimeSpan.FromHours(1));

    /// <summary>Stops listening and closes every connection, answered or not. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        foreach (var client in _held)
        {
            client.Dispose();
        }

        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _held.Add(client);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            while (!_stop.IsCancellationRequested)
            {
                var head = await ReadHeadAsync(stream, _stop.Token).ConfigureAwait(false);
                if (head is null)
                {
                    return;
                }

                var request = Parse(head);
                _requests.Enqueue(request);
                switch (Mode)
                {
                    case ManagedIdentityEndpointMode.NeverAnswer:
                        // Hold the connection open, unanswered, until the endpoint is disposed.
                        await Task.Delay(Timeout.Infinite, _stop.Token).ConfigureAwait(false);
                        return;
                    case ManagedIdentityEndpointMode.Reject:
                        await WriteAsync(stream, 400, "Bad Request", JsonSerializer.Serialize(new { statusCode = 400, message = "No managed identity found for the specified ClientId/ResourceId/PrincipalId." })).ConfigureAwait(false);
                        break;
                    default:
                        await AnswerAsync(stream, request).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away, or the endpoint was disposed.
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task AnswerAsync(NetworkStream stream, ManagedIdentityTokenRequest request)
    {
        // An IMDS request without "Metadata: true" is answered all the same: DefaultAzureCredential
        // first sends such a probe, and Azure.Core treats the real IMDS's 400 to it as "IMDS is
        // there" only when the host is 169.254.169.254; here (host 127.0.0.1) that 400 would read
        // as "no identity assigned". Requests records whether the header came.
        if (!request.SecretMatched && !request.IsImds)
        {
            const string message = "Unauthorized: the X-IDENTITY-HEADER is missing or wrong.";
            await WriteAsync(stream, 401, "Unauthorized", JsonSerializer.Serialize(new { statusCode = 401, message })).ConfigureAwait(false);
            return;
        }

        var apiVersion = request.IsImds ? "2018-02-01" : "2019-08-01";
        if (request.Resource is null || request.ApiVersion != apiVersion)
        {
            var message = $"resource and api-version={apiVersion} are required.";
            await WriteAsync(stream, 400, "Bad Request", JsonSerializer.Serialize(new { error = "invalid_request", statusCode = 400, message, error_description = message })).ConfigureAwait(false);
            return;
        }

        var now = DateTimeOffset.UtcNow;
        var lifetime = TokenLifetime;
        var fields = new Dictionary<string, string>
        {
            ["access_token"] = AzuriteTokens.Create(now, lifetime),
            ["expires_on"] = now.Add(lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = request.Resource,
            ["token_type"] = "Bearer",
            ["client_id"] = request.ClientId ?? "00000000-0000-0000-0000-000000000001",
        };
        if (request.IsImds)
        {
            // IMDS also says how long (seconds) and from when.
            fields["expires_in"] = ((long)lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            fields["not_before"] = now.AddMinutes(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }

        var body = JsonSerializer.Serialize(fields);
        Interlocked.Increment(ref _issued);
        await WriteAsync(stream, 200, "OK", body).ConfigureAwait(false);
    }

    private ManagedIdentityTokenRequest Parse(string head)
    {
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var target = requestLine.Length > 1 ? requestLine[1] : "/";
        var queryStart = target.IndexOf('?', StringComparison.Ordinal);
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (queryStart >= 0)
        {
            foreach (var pair in target[(queryStart + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
                query[name] = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            }
        }

        var path = queryStart >= 0 ? target[..queryStart] : target;
        var (header, expected) = path == ImdsTokenPath ? ("Metadata", "true") : (SecretHeader, Secret);
        var secretMatched = lines.Skip(1)
            .Select(line => line.Split(':', 2))
            .Any(parts => parts.Length == 2
                && parts[0].Trim().Equals(header, StringComparison.OrdinalIgnoreCase)
                && parts[1].Trim() == expected);
        return new ManagedIdentityTokenRequest(requestLine[0], path, query, secretMatched);
    }

    /// <summary>Reads up to the blank line that ends a request's head; null when the connection closed first.</summary>
    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new List<byte>(1024);
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n')
            {
                return Encoding.ASCII.GetString([.. buffer]);
            }

            if (buffer.Count > 64 * 1024)
            {
                throw new IOException("Request head over 64 KiB.");
            }
        }
    }

    private static async Task WriteAsync(NetworkStream stream, int status, string reason, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {body.Length}\r\n\r\n");
        await stream.WriteAsync(head).ConfigureAwait(false);
        await stream.WriteAsync(body).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }
}
