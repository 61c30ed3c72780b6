namespace AzFuse.Remote;

/// <summary>
/// A blob in a listing: its full name, size, the version stamps a cache record compares, and the
/// stored Content-MD5 (base64; <see langword="null"/> when the blob has none) that a resumable upload compares.
/// </summary>
internal readonly record struct BlobItem(string Name, long Length, string? ETag = null, DateTimeOffset? LastModified = null, string? ContentMd5 = null);

/// <summary>
/// One page of List Blobs: the blobs, the "folders" (prefixes up to the next '/', when listing
/// with a delimiter), and the marker of the next page (<see langword="null"/> on the last page).
/// </summary>
internal sealed record BlobListPage(IReadOnlyList<BlobItem> Blobs, IReadOnlyList<string> Prefixes, string? NextMarker);
