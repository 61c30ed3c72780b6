using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AzFuse.Remote;

/// <summary>
/// Builds a service SAS signed with the account key, as "Create a service SAS" in the Blob
/// service REST reference specifies for version 2020-12-06 and later.
/// </summary>
internal static class ServiceSas
{
    /// <summary>A SAS for the whole container; returns the query (no leading '?').</summary>
    /// <remarks><paramref name="permissions"/> in the canonical order racwdl, e.g. "rl" or "racwl".</remarks>
    public static string ForContainer(string accountName, string accountKey, string containerName, string permissions, DateTimeOffset start, DateTimeOffset expiry) =>
        Sign(accountKey, $"/blob/{accountName}/{containerName}", "c", permissions, start, expiry);

    /// <summary>A SAS for one blob (what a shared URL carries); returns the query (no leading '?').</summary>
    public static string ForBlob(string accountName, string accountKey, string containerName, string blobName, string permissions, DateTimeOffset start, DateTimeOffset expiry) =>
        Sign(accountKey, $"/blob/{accountName}/{containerName}/{blobName}", "b", permissions, start, expiry);

    private static string Sign(string accountKey, string canonicalResource, string resource, string permissions, DateTimeOffset start, DateTimeOffset expiry)
    {
        var st = Format(start);
        var se = Format(expiry);

        // Sixteen fields, in this order: sp, st, se, canonicalized resource, si, sip, spr, sv,
        // sr, snapshot time, encryption scope, rscc, rscd, rsce, rscl, rsct.
        string[] fields = [permissions, st, se, canonicalResource, "", "", "https,http", StorageVersion.Current, resource, "", "", "", "", "", "", ""];
        var stringToSign = string.Join('\n', fields);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(accountKey), Encoding.UTF8.GetBytes(stringToSign)));

        return string.Join('&',
            "sv=" + StorageVersion.Current,
            "spr=https,http",
            "st=" + Uri.EscapeDataString(st),
            "se=" + Uri.EscapeDataString(se),
            "sr=" + resource,
            "sp=" + permissions,
            "sig=" + Uri.EscapeDataString(signature));
    }

    private static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
