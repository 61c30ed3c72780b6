namespace AzFuse.Remote;

/// <summary>What a HEAD of a blob tells: enough to verify a download and, later, to revalidate a cache file.</summary>
/// <param name="Length">The blob's length in bytes.</param>
/// <param name="ContentMd5">The stored Content-MD5 of the whole blob, when it has one.</param>
/// <param name="ETag">The entity tag, quoted as in an HTTP header.</param>
/// <param name="LastModified">When the blob was last written.</param>
/// <param name="IsFolder">
/// Whether the blob is a directory entry of an account with a hierarchical namespace (ADLS Gen2):
/// an empty blob with metadata <c>hdi_isfolder=true</c>, which is a folder, never a file.
/// </param>
internal sealed record BlobProperties(long Length, byte[]? ContentMd5, string? ETag, DateTimeOffset? LastModified, bool IsFolder = false)
{
    /// <summary>Whether blob metadata marks a directory entry of a hierarchical namespace.</summary>
    public static bool IsFolderMetadata(IDictionary<string, string>? metadata) =>
        metadata is not null &&
        metadata.Any(m => string.Equals(m.Key, "hdi_isfolder", StringComparison.OrdinalIgnoreCase) && string.Equals(m.Value, "true", StringComparison.OrdinalIgnoreCase));
}
