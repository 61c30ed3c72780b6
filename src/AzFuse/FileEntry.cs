namespace AzFuse;

/// <summary>
/// One item of a detailed listing (<see cref="AzFuseClient.ListEntries"/>): a file with its size,
/// times, stored MD5 and access tier, or a sub-folder. Made by the library; callers only read it.
/// </summary>
public sealed class FileEntry
{
    /// <summary>Creates an entry.</summary>
    /// <param name="path">The logical path, spelled from the folder the caller listed.</param>
    /// <param name="isFolder">Whether it is a sub-folder rather than a file.</param>
    /// <param name="length">The size in bytes; 0 for a folder.</param>
    /// <param name="lastModified">When the blob (or local file) last changed, when known.</param>
    /// <param name="contentMd5">The blob's stored Content-MD5 in base64, when it has one.</param>
    public FileEntry(string path, bool isFolder, long length, DateTimeOffset? lastModified, string? contentMd5)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        IsFolder = isFolder;
        Length = length;
        LastModified = lastModified;
        ContentMd5 = contentMd5;
    }

    /// <summary>The logical path (<c>data/train/0001.jpg</c>, or <c>data/train/sub</c> for a folder), as Open and Prepare take it.</summary>
    public string Path { get; }

    /// <summary>Whether this is a sub-folder (only listed when not recursive).</summary>
    public bool IsFolder { get; }

    /// <summary>The size in bytes; 0 for a folder.</summary>
    public long Length { get; }

    /// <summary>When the blob last changed (the service's Last-Modified), or the local file's last write time; <see langword="null"/> for a folder.</summary>
    public DateTimeOffset? LastModified { get; }

    /// <summary>
    /// The blob's stored Content-MD5 in base64, or <see langword="null"/> when the blob has none
    /// (and for local files and folders). Blobs uploaded by AzFuse always have one.
    /// </summary>
    public string? ContentMd5 { get; }

    /// <summary>When the blob was created (a local file: its creation time, where the file system keeps one); <see langword="null"/> for a folder.</summary>
    public DateTimeOffset? CreatedOn { get; init; }

    /// <summary>The blob's access tier (<c>Hot</c>, <c>Cool</c>, <c>Cold</c>, <c>Archive</c>, or a rehydration in progress such as <c>rehydrate-pending-to-hot</c>, as the Python tool's listing shows it); <see langword="null"/> when the service names none, and for local files and folders.</summary>
    public string? AccessTier { get; init; }

    /// <summary>The path, with a trailing '/' for a folder.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsFolder ? Path + "/" : Path;
}
