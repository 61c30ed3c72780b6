namespace AzFuse.Remote;

/// <summary>A blob in a listing: its full name, size, and the version stamps a cache record compares.</summary>
/// <param name="Name">The blob's full name in the container.</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="ETag">The entity tag, quoted.</param>
/// <param name="LastModified">When it was last written.</param>
/// <param name="ContentMd5">The stored Content-MD5, when it has one.</param>
/// <param name="IsFolder">A directory entry of a hierarchical namespace (see <see cref="BlobProperties.IsFolder"/>).</param>
/// <param name="CreatedOn">When it was created.</param>
/// <param name="AccessTier">Its access tier, or a rehydration in progress out of Archive.</param>
internal readonly record struct BlobItem(string Name, long Length, string? ETag = null, DateTimeOffset? LastModified = null, byte[]? ContentMd5 = null, bool IsFolder = false, DateTimeOffset? CreatedOn = null, string? AccessTier = null)
{
    /// <summary>What a HEAD of the blob would have said, for code that compares either.</summary>
    public BlobProperties ToProperties() => new(Length, ContentMd5, ETag, LastModified, IsFolder);
}

/// <summary>
/// One page of List Blobs: the blobs, the "folders" (prefixes up to the next '/', when listing
/// with a delimiter), and the marker of the next page (<see langword="null"/> on the last page).
/// </summary>
internal sealed record BlobListPage(IReadOnlyList<BlobItem> Blobs, IReadOnlyList<string> Prefixes, string? NextMarker);
