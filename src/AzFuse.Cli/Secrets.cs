using System.Text.RegularExpressions;

namespace AzFuse.Cli;

/// <summary>
/// A last guard on everything the tool prints about errors: a SAS signature or an account key
/// that a message or stack trace might carry is replaced. (The library's own messages carry none.)
/// </summary>
internal static partial class Secrets
{
    public static string Redact(string text) =>
        AccountKeyPattern().Replace(SignaturePattern().Replace(text, "sig=REDACTED"), "${name}=REDACTED");

    [GeneratedRegex(@"sig=[^&\s""']+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SignaturePattern();

    [GeneratedRegex(@"(?<name>AccountKey|account_key)\s*[=:]\s*[A-Za-z0-9+/=]{20,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AccountKeyPattern();
}
