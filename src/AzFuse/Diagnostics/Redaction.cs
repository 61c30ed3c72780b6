using System.Text.RegularExpressions;

namespace AzFuse.Diagnostics;

/// <summary>
/// Removes secrets from text that leaves the library (exception messages, log lines,
/// azcopy's output). azcopy redacts <c>sig=</c> in what it prints itself, but a failure
/// can still echo a command line or URL, so everything quoted from outside goes through here.
/// </summary>
internal static partial class Redaction
{
    internal const string Placeholder = "REDACTED";

    // sig= is the SAS signature; the other parameters of a SAS are not secret and help a user
    // see whether the token expired (se=) or lacks a permission (sp=).
    [GeneratedRegex(@"(?<=[?&;\s""']sig=|^sig=)[^&\s""'<>]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SignaturePattern();

    // A Shared Key Authorization header, should one ever be echoed back.
    [GeneratedRegex(@"(SharedKey(?:Lite)?\s+[^:\s]+:)[A-Za-z0-9+/=]+", RegexOptions.CultureInvariant)]
    private static partial Regex SharedKeyPattern();

    /// <summary>Returns <paramref name="text"/> with every SAS signature and Shared Key signature replaced.</summary>
    internal static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var result = SignaturePattern().Replace(text, Placeholder);
        return SharedKeyPattern().Replace(result, "$1" + Placeholder);
    }

    /// <summary>A URI as it may be shown: path intact, SAS signature replaced.</summary>
    internal static string Redact(Uri uri) => Redact(uri.ToString());
}
