namespace AzFuse.Configuration;

/// <summary>
/// One entry of the mapping file: logical paths under <see cref="Local"/> are cached under
/// <see cref="Cache"/> and stored as blobs under <see cref="Remote"/> in the container of
/// <see cref="StorageAccount"/>. The field names are those of the Python tool's YAML; the cache
/// policy keys (<c>revalidate_after</c>, <c>max_cache_size</c>, <c>min_free_space</c>) are this library's own and optional.
/// </summary>
/// <param name="Local">The logical path prefix.</param>
/// <param name="Remote">The blob name prefix in the container ('' for its root).</param>
/// <param name="Cache">The local cache folder.</param>
/// <param name="StorageAccount">The storage account file's base name.</param>
/// <param name="SourceFile">The mapping file, for messages.</param>
/// <param name="Line">The entry's line in <paramref name="SourceFile"/>, for messages.</param>
/// <param name="RevalidateAfter">How old a cached file's record may get before an Open checks the blob; <see langword="null"/> when the YAML does not say, <see cref="Timeout.InfiniteTimeSpan"/> for off.</param>
/// <param name="MaxCacheSize">The cache root's size limit in bytes; <see langword="null"/> when the YAML does not say (or gives a fraction), <see cref="long.MaxValue"/> for unlimited.</param>
/// <param name="MaxCacheFraction">The cache root's size limit as a fraction of its disk (<c>max_cache_size: 50%</c> or <c>0.5</c>); <see langword="null"/> when not given so.</param>
/// <param name="MinFreeSpace">The bytes a download leaves free on the cache root's disk (<c>min_free_space</c>); <see langword="null"/> when the YAML does not say, 0 for off.</param>
internal sealed record MountMapping(
    string Local,
    string Remote,
    string Cache,
    string StorageAccount,
    string SourceFile,
    int Line,
    TimeSpan? RevalidateAfter = null,
    long? MaxCacheSize = null,
    double? MaxCacheFraction = null,
    long? MinFreeSpace = null)
{
    /// <summary>
    /// The cache folder as one spelling of a full path (no trailing separator), so that mappings
    /// written <c>/c</c> and <c>/c/</c> share one cache root, one size limit and one ledger.
    /// </summary>
    public string CacheRoot => Path.TrimEndingDirectorySeparator(Path.GetFullPath(Cache));

    /// <summary>Whether Opens check the blob's ETag at all.</summary>
    public bool Revalidates => RevalidateAfter is { } after && after != Timeout.InfiniteTimeSpan;

    /// <summary>Where this mapping was declared, for error messages: "file:line".</summary>
    public string Origin => Line > 0 ? $"{SourceFile}:{Line}" : SourceFile;
}
