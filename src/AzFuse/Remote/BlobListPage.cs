namespace AzFuse.Remote;

/// <summary>A blob in a listing: its full name, size, and the version stamps a cache record compares.</summary>
internal readonly record struct BlobItem(string Name, long Length, string? ETag = null, DateTimeOffset? LastModified = null, byte[]? ContentMd5 = null)
{
    /// <summary>What a HEAD of the blob would have said, for code that compares either.</summary>
    public BlobProperties ToProperties() => new(Length, ContentMd5, ETag, LastModified);
}

/// <summary>
/// One page of List Blobs: the blobs, the "folders" (prefixes up to the next '/', when listing
/// with a delimiter), and the marker of the next page (<see langword="null"/> on the last page).
/// </summary>
internal sealed record BlobListPage(IReadOnlyList<BlobItem> Blobs, IReadOnlyList<string> Prefixes, string? NextMarker);
