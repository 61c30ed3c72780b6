using System.Collections.Concurrent;
using AzFuse.Configuration;

namespace AzFuse.Remote;

/// <summary>
/// The SAS to hand to azcopy (which cannot sign with an account key) for a container: the
/// configured <c>sas_token</c>, or one this library signs from <c>account_key</c>, or none
/// for a public container. Signed tokens are reused until half their lifetime has passed.
/// </summary>
internal sealed class SasProvider
{
    // Clock skew between this machine and the service is tolerated by starting the SAS early.
    private static readonly TimeSpan s_clockSkew = TimeSpan.FromMinutes(15);

    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly ConcurrentDictionary<(string Account, string Container, string Permissions), (string Sas, DateTimeOffset RenewAt)> _signed = new();

    public SasProvider(TimeProvider time, TimeSpan lifetime)
    {
        _time = time;
        _lifetime = lifetime;
    }

    /// <summary>A SAS query without '?', or <see langword="null"/> when the account has no credential.</summary>
    /// <remarks><paramref name="permissions"/> apply to a signed token, in racwdl order; a configured token is used as it is.</remarks>
    public string? GetContainerSas(StorageAccount account, string permissions)
    {
        if (account.SasToken is not null)
        {
            return account.SasToken;
        }

        if (account.AccountKey is null)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var key = (account.Endpoint.AbsoluteUri, account.ContainerName, permissions);
        if (_signed.TryGetValue(key, out var cached) && now < cached.RenewAt)
        {
            return cached.Sas;
        }

        var sas = ServiceSas.ForContainer(account.AccountName, account.AccountKey, account.ContainerName, permissions, now - s_clockSkew, now + _lifetime);
        _signed[key] = (sas, now + (_lifetime / 2));
        return sas;
    }

    /// <summary><paramref name="uri"/> with the container's SAS appended, ready for azcopy. Secret: never log it.</summary>
    public Uri Authorize(Uri uri, StorageAccount account, string permissions)
    {
        var sas = GetContainerSas(account, permissions);
        return sas is null ? uri : AppendSas(uri, sas);
    }

    /// <summary><paramref name="uri"/> with the SAS query <paramref name="sas"/> (no leading '?') appended. Secret.</summary>
    public static Uri AppendSas(Uri uri, string sas) =>
        new(uri.AbsoluteUri + (string.IsNullOrEmpty(uri.Query) ? "?" : "&") + sas);
}
