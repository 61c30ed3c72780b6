using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AzFuse.Testing;

namespace AzFuse.Benchmarks;

/// <summary>
/// A container service SAS for the baselines (raw azcopy, curl, a bare GET), signed with Azurite's
/// well-known key as the Blob REST reference's "Create a service SAS" specifies. The library's own
/// signer is internal and the benchmark sees only the public API, hence this copy of the recipe.
/// </summary>
internal static class ContainerSas
{
    // The service version the library pins; the SAS is accepted by any Azurite of this decade.
    private const string Version = "2021-08-06";

    /// <returns>The query string, without a leading '?'.</returns>
    public static string Create(string containerName, string permissions, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        var start = Format(now.AddMinutes(-5));
        var expiry = Format(now + lifetime);

        // Sixteen fields in order: sp, st, se, canonicalized resource, si, sip, spr, sv, sr,
        // snapshot time, encryption scope, rscc, rscd, rsce, rscl, rsct.
        string[] fields = [permissions, start, expiry, $"/blob/{AzuriteServer.AccountName}/{containerName}", "", "", "https,http", Version, "c", "", "", "", "", "", "", ""];
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(AzuriteServer.AccountKey), Encoding.UTF8.GetBytes(string.Join('\n', fields))));
        return string.Join('&',
            "sv=" + Version,
            "spr=https,http",
            "st=" + Uri.EscapeDataString(start),
            "se=" + Uri.EscapeDataString(expiry),
            "sr=c",
            "sp=" + permissions,
            "sig=" + Uri.EscapeDataString(signature));
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
