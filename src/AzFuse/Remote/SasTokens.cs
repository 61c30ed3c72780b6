using System.Globalization;

namespace AzFuse.Remote;

/// <summary>Reads the fields of a SAS token that are not secret, for messages: its expiry and its permissions.</summary>
internal static class SasTokens
{
    /// <summary>The token's expiry (<c>se=</c>), or <see langword="null"/> when it names none or it cannot be read.</summary>
    public static DateTimeOffset? Expiry(string sas) =>
        Field(sas, "se") is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expiry)
            ? expiry
            : null;

    /// <summary>Whether the token grants reading and listing only (<c>sp=r</c>, <c>sp=rl</c>).</summary>
    public static bool IsReadOnly(string sas) => Field(sas, "sp") is { } permissions && permissions.All(c => c is 'r' or 'l');

    private static string? Field(string sas, string name)
    {
        foreach (var part in sas.TrimStart('?').Split('&'))
        {
            if (part.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return Uri.UnescapeDataString(part[(name.Length + 1)..]);
            }
        }

        return null;
    }
}
