namespace AzFuse;

/// <summary>
/// One mapping given in code (<see cref="AzFuseOptions.Mappings"/>), as an entry of the mapping
/// file: logical paths under <see cref="Local"/> are cached under <see cref="Cache"/> and stored as
/// blobs under <see cref="Remote"/> in the container of the storage account file
/// <see cref="StorageAccount"/>. Checked as the file's entries are, when the client first needs it.
/// </summary>
public sealed class AzFuseMapping
{
    /// <summary>The logical path prefix (<c>local</c>), such as <c>data</c>; a relative one is taken from the current directory.</summary>
    public required string Local { get; init; }

    /// <summary>The blob name prefix in the container (<c>remote</c>); empty for the container's root.</summary>
    public required string Remote { get; init; }

    /// <summary>The local cache folder (<c>cache</c>); a leading <c>~</c> is the home folder.</summary>
    public required string Cache { get; init; }

    /// <summary>The storage account file's base name (<c>storage_account</c>), read from <see cref="AzFuseOptions.StorageAccountFolder"/>.</summary>
    public required string StorageAccount { get; init; }

    /// <summary>As <c>revalidate_after</c>: how old a cached file's record may get before an Open checks the blob. Default <see langword="null"/>: <see cref="AzFuseOptions.RevalidateAfter"/>.</summary>
    public TimeSpan? RevalidateAfter { get; init; }

    /// <summary>As <c>max_cache_size</c> in bytes. Default <see langword="null"/>: <see cref="AzFuseOptions.MaxCacheSize"/>.</summary>
    public long? MaxCacheSize { get; init; }
}
