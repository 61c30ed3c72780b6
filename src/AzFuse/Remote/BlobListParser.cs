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
                    var length = item.Element("Properties")?.Element("Content-Length")?.Value;
                    blobs.Add(new BlobItem(name, length is null ? 0 : long.Parse(length, CultureInfo.InvariantCulture)));
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

    // A name with characters XML cannot carry comes percent-encoded, flagged Encoded="true".
    private static string Name(XElement item)
    {
        var name = item.Element("Name") ?? throw new FormatException("A listed blob has no Name.");
        return (string?)name.Attribute("Encoded") == "true" ? Uri.UnescapeDataString(name.Value) : name.Value;
    }
}
