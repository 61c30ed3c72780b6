namespace AzFuse.Remote;

/// <summary>
/// The Content-Type an upload is stored with, from its name's extension, as azcopy sets it: so a
/// shared link (<c>GetUrl</c>) to a PNG or an HTML page opens in a browser instead of downloading.
/// </summary>
/// <remarks>
/// The map is MediaTypeMap.Core's (about 600 extensions, no dependencies). Keeping a hand-written
/// table here would go stale; the ASP.NET Core map would drag the web framework into a storage library.
/// </remarks>
internal static class ContentTypes
{
    public const string Default = "application/octet-stream";

    public static string Of(string blobName)
    {
        var extension = Path.GetExtension(blobName);
        return string.IsNullOrEmpty(extension) || extension == "." ? Default : MimeTypes.MimeTypeMap.GetMimeType(extension);
    }
}
