using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace AzFuse.Testing;

/// <summary>
/// Makes access tokens that Azurite's <c>--oauth basic</c> accepts. Azurite decodes the JWT
/// without checking any signature and then requires: <c>iat</c>, <c>nbf</c> and <c>exp</c>
/// present, now between nbf and exp (no clock skew allowed), <c>iss</c> starting with
/// <c>https://sts.windows.net/</c> (or another cloud's STS), and <c>aud</c> the storage audience.
/// Get User Delegation Key also reads <c>oid</c> and <c>tid</c>. So an unsigned token
/// (<c>alg: none</c>) with these claims is enough.
/// </summary>
public static class AzuriteTokens
{
    /// <summary>The audience a token for Azure Storage carries.</summary>
    public const string StorageAudience = "https://storage.azure.com";

    /// <summary>The object id (oid) tokens carry unless told otherwise.</summary>
    public static readonly Guid DefaultObjectId = new("11059fcc-5514-4800-b5f8-49808b9cfab6");

    /// <summary>The tenant id (tid) tokens carry unless told otherwise.</summary>
    public static readonly Guid DefaultTenantId = new("ab1f708d-50f6-404c-a006-d71b2ac7a606");

    /// <summary>
    /// An unsigned JWT valid from a minute before <paramref name="now"/> until
    /// <paramref name="now"/> + <paramref name="lifetime"/>.
    /// </summary>
    public static string Create(DateTimeOffset now, TimeSpan lifetime, Guid? objectId = null, Guid? tenantId = null)
    {
        var oid = objectId ?? DefaultObjectId;
        var tid = tenantId ?? DefaultTenantId;
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT" });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["aud"] = StorageAudience,
            ["iss"] = $"https://sts.windows.net/{tid}/",
            ["iat"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime).ToUnixTimeSeconds(),
            ["oid"] = oid.ToString(),
            ["sub"] = oid.ToString(),
            ["tid"] = tid.ToString(),
            ["appid"] = "azfuse-tests",
            ["ver"] = "1.0",
        });
        return $"{Base64Url.EncodeToString(header)}.{Base64Url.EncodeToString(payload)}.";
    }

    /// <summary>The claims of a token made by <see cref="Create"/> (or any JWT), for assertions.</summary>
    public static JsonElement ReadClaims(string token)
    {
        var parts = token.Split('.');
        var json = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        return JsonDocument.Parse(json).RootElement.Clone();
    }
}
