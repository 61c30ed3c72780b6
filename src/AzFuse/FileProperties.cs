namespace AzFuse;

/// <summary>
/// What the service says about a file's blob (<see cref="AzFuseClient.GetProperties"/>): size, times,
/// content type and MD5, access tier, lease state and metadata. For a local file (AzFuse off, or a
/// path outside every mapping), what the file system says; the blob-only values are then empty.
/// </summary>
public sealed class FileProperties
{
    /// <summary>The logical path, as the caller wrote it.</summary>
    public required string Path { get; init; }

    /// <summary>The size in bytes.</summary>
    public long Length { get; init; }

    /// <summary>When the blob (or local file) last changed.</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>When the blob was created (the local file's creation time, where the file system keeps one).</summary>
    public DateTimeOffset? CreatedOn { get; init; }

    /// <summary>The blob's Content-Type, such as <c>image/png</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>The blob's stored Content-MD5 in base64, or <see langword="null"/> when it has none.</summary>
    public string? ContentMd5 { get; init; }

    /// <summary>The entity tag, quoted as in an HTTP header.</summary>
    public string? ETag { get; init; }

    /// <summary>The access tier: <c>Hot</c>, <c>Cool</c>, <c>Cold</c>, <c>Archive</c> (or a premium tier such as <c>P10</c>); <see langword="null"/> when the service names none.</summary>
    public string? AccessTier { get; init; }

    /// <summary>A rehydration in progress out of the Archive tier, such as <c>rehydrate-pending-to-hot</c>; otherwise <see langword="null"/>.</summary>
    public string? ArchiveStatus { get; init; }

    /// <summary>The lease state: <c>available</c>, <c>leased</c>, <c>expired</c>, <c>breaking</c> or <c>broken</c>; <see langword="null"/> for a local file.</summary>
    public string? LeaseState { get; init; }

    /// <summary>The blob's metadata (name-value pairs); empty for a local file.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
