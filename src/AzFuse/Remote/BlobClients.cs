using System.Collections.Concurrent;
using System.Net;
using AzFuse.Configuration;
using AzFuse.Diagnostics;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;

namespace AzFuse.Remote;

/// <summary>
/// The Azure SDK clients of each storage account, created on first use and reused: one
/// <see cref="BlobServiceClient"/> per storage account file (its credential and its token cache),
/// every one over one shared HTTP transport.
/// </summary>
/// <remarks>
/// A storage account file that changed on disk (a rotated SAS) is read again by
/// <see cref="TryReload"/>; the next request then builds new clients from it.
/// </remarks>
internal sealed class BlobClients
{
    // One HttpClient for the process: sockets are pooled across all accounts and clients, and
    // recycling pooled connections picks up DNS changes. Time limits are per request and per read
    // (the SDK's network timeout), so a long transfer that still moves is never cut off.
    private static readonly HttpClient s_http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = 256,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private static readonly HttpPipelineTransport s_transport = new HttpClientTransport(s_http);

    /// <summary>
    /// The service version of every request, and of every SAS the library signs. Pinned rather than
    /// the SDK's newest: Azurite 3.37 refuses the SDK's default (2026-10-06), every Azure region
    /// serves this one, and a SAS handed to azcopy should not depend on what the SDK ships next.
    /// </summary>
    public const BlobClientOptions.ServiceVersion ServiceVersion = BlobClientOptions.ServiceVersion.V2026_06_06;

    /// <summary><see cref="ServiceVersion"/> as a SAS's <c>sv</c> field.</summary>
    public const string SasVersion = "2026-06-06";

    private readonly StorageAccountLoader _accounts;
    private readonly BlobClientOptions _options;
    private readonly TimeSpan _credentialTimeout;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Clients> _clients = new(StringComparer.Ordinal);

    public BlobClients(StorageAccountLoader accounts, AzFuseOptions options, ILogger logger)
    {
        _accounts = accounts;
        _credentialTimeout = options.CredentialTimeout;
        _logger = logger;

        _options = new BlobClientOptions(ServiceVersion)
        {
            Transport = options.Transport ?? s_transport,
        };

        // Retries are the library's own (see RetryPolicy): the SDK tries each request once. Its
        // network timeout bounds the wait for a response and for each read of a body, which is
        // what TransferStallTimeout promises: a request that stops moving fails.
        _options.Retry.MaxRetries = 0;
        _options.Retry.NetworkTimeout = options.TransferStallTimeout;
        _options.Diagnostics.ApplicationId = "AzFuse";
        _options.AddPolicy(new UsagePolicy(Usage = new UsageCounters(options.TimeProvider)), HttpPipelinePosition.PerRetry);
    }

    /// <summary>What the clients asked of the service since they were created (see <see cref="UsagePolicy"/>).</summary>
    public UsageCounters Usage { get; }

    /// <summary>The account as requests use it now (after any reload).</summary>
    public StorageAccount Current(StorageAccount account) => _accounts.Current(account);

    public BlobServiceClient Service(StorageAccount account) => For(account).Service;

    public BlobContainerClient Container(StorageAccount account) => For(account).Container;

    public BlobClient Blob(BlobLocation blob) => For(blob.Account).Container.GetBlobClient(blob.BlobName);

    public BlockBlobClient BlockBlob(BlobLocation blob) => For(blob.Account).Container.GetBlockBlobClient(blob.BlobName);

    /// <summary>
    /// Reads the account's file again if it changed on disk, and if so drops its clients so that
    /// the next request signs with what the file says now.
    /// </summary>
    public bool TryReload(StorageAccount account)
    {
        if (!_accounts.Reload(account))
        {
            return false;
        }

        _clients.TryRemove(account.Name, out _);
        return true;
    }

    private Clients For(StorageAccount account)
    {
        var current = _accounts.Current(account);
        if (_clients.TryGetValue(current.Name, out var clients) && ReferenceEquals(clients.Account, current))
        {
            return clients;
        }

        clients = Create(current);
        _clients[current.Name] = clients;
        return clients;
    }

    private Clients Create(StorageAccount account)
    {
        Azure.Core.TokenCredential? credential = null;
        var service = account.Credential switch
        {
            CredentialKind.AccountKey => new BlobServiceClient(account.Endpoint, new StorageSharedKeyCredential(account.AccountName, account.AccountKey!), _options),
            CredentialKind.SasToken => new BlobServiceClient(account.Endpoint, new AzureSasCredential(account.SasToken!), _options),
            CredentialKind.Anonymous => new BlobServiceClient(account.Endpoint, _options),
            _ when account.Endpoint.Scheme != Uri.UriSchemeHttps => throw Diagnostics.Errors.TokenNeedsHttps(account),
            _ => new BlobServiceClient(account.Endpoint, credential = CredentialFactory.Create(account, _credentialTimeout, _logger), _options),
        };
        return new Clients(account, service, service.GetBlobContainerClient(account.ContainerName), credential);
    }

    /// <summary>Gets a token with the account's Microsoft Entra ID credential (the one its clients use, so the token is cached for them too).</summary>
    public async Task<Azure.Core.AccessToken> GetTokenAsync(StorageAccount account, CancellationToken cancellationToken)
    {
        var credential = For(account).Credential ?? throw new InvalidOperationException($"{account.SourceFile} signs in without a token.");
        return await credential.GetTokenAsync(new Azure.Core.TokenRequestContext(["https://storage.azure.com/.default"]), cancellationToken).ConfigureAwait(false);
    }

    private sealed record Clients(StorageAccount Account, BlobServiceClient Service, BlobContainerClient Container, Azure.Core.TokenCredential? Credential);
}
