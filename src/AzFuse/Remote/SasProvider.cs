using System.Collections.Concurrent;
using AzFuse.Configuration;
using AzFuse.Diagnostics;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using Microsoft.Extensions.Logging;

namespace AzFuse.Remote;

/// <summary>
/// The SAS to hand to azcopy for a container, and the read-only SAS of a shared URL: the
/// configured <c>sas_token</c>; one this library signs with <c>account_key</c>; under Microsoft
/// Entra ID a user-delegation SAS, signed with a key the service hands out for the signed-in
/// identity (so azcopy never needs <c>azcopy login</c> and never sees a token); or none for a
/// public container. Signed SAS are reused until half their lifetime has passed.
/// </summary>
/// <remarks>All of the signing is the Azure SDK's (<see cref="BlobSasBuilder"/>); none is written here.</remarks>
internal sealed class SasProvider
{
    /// <summary>The longest a user-delegation key, and so a user-delegation SAS, may live (the service's limit).</summary>
    public static readonly TimeSpan MaxUserDelegationLifetime = TimeSpan.FromDays(7);

    // Clock skew between this machine and the service is tolerated by starting a SAS early.
    private static readonly TimeSpan s_clockSkew = TimeSpan.FromMinutes(15);

    private readonly BlobService _blobs;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Account, string Permissions), Signed> _signed = new();
    private readonly ConcurrentDictionary<string, Key> _keys = new(StringComparer.Ordinal);

    public SasProvider(BlobService blobs, TimeProvider time, TimeSpan lifetime, ILogger logger)
    {
        _blobs = blobs;
        _time = time;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>A SAS query without '?' for the whole container, or <see langword="null"/> when the account has no credential. Secret.</summary>
    /// <param name="account">The storage account.</param>
    /// <param name="permissions">For a signed SAS, in racwdl order ("rl" to read, "rcwl" to write); a configured token is used as it is.</param>
    /// <param name="async">Whether to run asynchronously.</param>
    /// <param name="cancellationToken">Cancels getting a user-delegation key.</param>
    public async ValueTask<string?> GetContainerSasAsync(StorageAccount account, string permissions, bool async, CancellationToken cancellationToken)
    {
        account = _blobs.Clients.Current(account);
        switch (account.Credential)
        {
            case CredentialKind.SasToken:
                // azcopy's failures do not come back as a 403 that would re-read the file, and a
                // run costs far more than one stat: hand it the token the file holds now.
                return _blobs.Clients.TryReload(account) ? _blobs.Clients.Current(account).SasToken : account.SasToken;
            case CredentialKind.Anonymous:
                return null;
        }

        var now = _time.GetUtcNow();
        var cacheKey = (account.Name, permissions);
        if (_signed.TryGetValue(cacheKey, out var cached) && ReferenceEquals(cached.Account, account) && now < cached.RenewAt)
        {
            return cached.Sas;
        }

        var builder = new BlobSasBuilder { BlobContainerName = account.ContainerName, Resource = "c", StartsOn = now - s_clockSkew, ExpiresOn = now + _lifetime, Protocol = ProtocolFor(account), Version = BlobClients.SasVersion };
        builder.SetPermissions(permissions);
        string sas;
        if (account.Credential == CredentialKind.AccountKey)
        {
            sas = builder.ToSasQueryParameters(new StorageSharedKeyCredential(account.AccountName, account.AccountKey!)).ToString();
        }
        else
        {
            var key = await UserDelegationKeyAsync(account, builder.ExpiresOn, async, cancellationToken).ConfigureAwait(false);
            sas = builder.ToSasQueryParameters(key, account.AccountName).ToString();
        }

        _signed[cacheKey] = new Signed(sas, now + (_lifetime / 2), account);
        return sas;
    }

    /// <summary><paramref name="uri"/> with the container's SAS appended, ready for azcopy. Secret: never log it.</summary>
    public async ValueTask<Uri> AuthorizeAsync(Uri uri, StorageAccount account, string permissions, bool async, CancellationToken cancellationToken)
    {
        var sas = await GetContainerSasAsync(account, permissions, async, cancellationToken).ConfigureAwait(false);
        return sas is null ? uri : AppendSas(uri, sas);
    }

    /// <summary>
    /// A URL that reads the blob, and nothing else, until <paramref name="expiry"/> from now: signed
    /// with the account key, or a user-delegation SAS (at most 7 days); a configured sas_token only
    /// when it is read-only itself; the plain URL for a public container.
    /// </summary>
    public async ValueTask<Uri> GetReadUrlAsync(BlobLocation blob, string logicalPath, TimeSpan expiry, bool async, CancellationToken cancellationToken)
    {
        var account = _blobs.Clients.Current(blob.Account);
        var uri = _blobs.Clients.Blob(blob).Uri;
        var now = _time.GetUtcNow();
        var builder = new BlobSasBuilder(BlobSasPermissions.Read, now + expiry)
        {
            BlobContainerName = account.ContainerName,
            BlobName = blob.BlobName,
            Resource = "b",
            StartsOn = now - s_clockSkew,
            Protocol = ProtocolFor(account),
            Version = BlobClients.SasVersion,
        };

        switch (account.Credential)
        {
            case CredentialKind.Anonymous:
                return uri;
            case CredentialKind.AccountKey:
                return AppendSas(uri, builder.ToSasQueryParameters(new StorageSharedKeyCredential(account.AccountName, account.AccountKey!)).ToString());
            case CredentialKind.SasToken:
                // A configured token cannot be narrowed without a key: share it only if it is read-only already.
                return SasTokens.IsReadOnly(account.SasToken!)
                    ? AppendSas(uri, account.SasToken!)
                    : throw Errors.CannotSignReadOnlyUrl(logicalPath, account);
            default:
                if (expiry > MaxUserDelegationLifetime)
                {
                    throw Errors.UrlExpiryTooLong(expiry, account);
                }

                // A key of its own, valid exactly as long as the URL: a shared link must not depend on
                // the cached key's renewal.
                var key = await _blobs.GetUserDelegationKeyAsync(account, now - s_clockSkew, builder.ExpiresOn, async, cancellationToken).ConfigureAwait(false);
                return AppendSas(uri, builder.ToSasQueryParameters(key, account.AccountName).ToString());
        }
    }

    /// <summary><paramref name="uri"/> with the SAS query <paramref name="sas"/> (no leading '?') appended. Secret.</summary>
    public static Uri AppendSas(Uri uri, string sas) =>
        new(uri.AbsoluteUri + (string.IsNullOrEmpty(uri.Query) ? "?" : "&") + sas);

    /// <summary>
    /// The user-delegation key for <paramref name="account"/> that covers a SAS expiring at
    /// <paramref name="sasExpiry"/>; fetched (with the account's token) when there is none yet or
    /// the one held expires too soon, and then kept for a day.
    /// </summary>
    private async ValueTask<UserDelegationKey> UserDelegationKeyAsync(StorageAccount account, DateTimeOffset sasExpiry, bool async, CancellationToken cancellationToken)
    {
        if (_keys.TryGetValue(account.Name, out var held) && ReferenceEquals(held.Account, account) && held.Value.SignedExpiresOn >= sasExpiry)
        {
            return held.Value;
        }

        var now = _time.GetUtcNow();
        var expiry = now + TimeSpan.FromDays(1) > sasExpiry ? now + TimeSpan.FromDays(1) : sasExpiry;
        if (expiry > now + MaxUserDelegationLifetime)
        {
            expiry = now + MaxUserDelegationLifetime;
        }

        var key = await _blobs.GetUserDelegationKeyAsync(account, now - s_clockSkew, expiry, async, cancellationToken).ConfigureAwait(false);
        _keys[account.Name] = new Key(key, account);
        Log.UserDelegationKey(_logger, account.SourceFile, key.SignedExpiresOn);
        return key;
    }

    // Over https only where the endpoint is https; an emulator on plain http needs both.
    private static SasProtocol ProtocolFor(StorageAccount account) =>
        account.Endpoint.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp;

    private sealed record Signed(string Sas, DateTimeOffset RenewAt, StorageAccount Account);

    private sealed record Key(UserDelegationKey Value, StorageAccount Account);
}
