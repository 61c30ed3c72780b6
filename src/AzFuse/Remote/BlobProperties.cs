namespace AzFuse.Remote;

/// <summary>What a HEAD of a blob tells: enough to verify a download and, later, to revalidate a cache file.</summary>
internal sealed record BlobProperties(long Length, byte[]? ContentMd5, string? ETag, DateTimeOffset? LastModified);
