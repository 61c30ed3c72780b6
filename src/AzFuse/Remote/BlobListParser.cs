using System.Globalization;
using System.Xml.Linq;

namespace AzFuse.Remote;

/// <summary>Reads the <c>EnumerationResults</c> XML of List Blobs ("List Blobs" in the Blob service REST reference).</summary>
internal static class BlobListParser
{
    public static BlobListPage Parse(XDocument document)
    {
        var root = document.Root ?? throw new FormatException("The listing has no root element.");
        var blobs = new List<BlobItem>();
        var prefixes = new List<string>();
        if (root.Element("Blobs") is { } items)
        {
            foreach (var item in items.Elements())
            {
                var name = Name(item);
                if (item.Name.LocalName == "Blob")
                {
                    var properties = item.Element("Properties");
                    var length = properties?.Element("Content-Length")?.Value;
                    var modified = properties?.Element("Last-Modified")?.Value;
                    var md5 = properties?.Element("Content-MD5")?.Value;
                    blobs.Add(new BlobItem(
                        name,
                        length is null ? 0 : long.Parse(length, CultureInfo.InvariantCulture),
                        ETag: Quoted(properties?.Element("Etag")?.Value),
                        LastModified: modified is null ? null : DateTimeOffset.Parse(modified, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                        ContentMd5: string.IsNullOrEmpty(md5) ? null : Convert.FromBase64String(md5)));
                }
                else if (item.Name.LocalName == "BlobPrefix")
                {
                    prefixes.Add(name);
                }
            }
        }

        var next = root.Element("NextMarker")?.Value;
        return new BlobListPage(blobs, prefixes, string.IsNullOrEmpty(next) ? null : next);
    }

    // A listing gives the ETag bare or quoted depending on the service version; HEAD always quotes
    // it (an HTTP entity tag). Quoted, the two compare equal.
    private static string? Quoted(string? etag) =>
        string.IsNullOrEmpty(etag) ? null : etag.StartsWith('"') ? etag : "\"" + etag + "\"";

    // A name with characters XML cannot carry comes percent-encoded, flagged Encoded="true".
    private static string Name(XElement item)
    {
        var name = item.Element("Name") ?? throw new FormatException("A listed blob has no Name.");
        return (string?)name.Attribute("Encoded") == "true" ? Uri.UnescapeDataString(name.Value) : name.Value;
    }
}
