namespace AzFuse;

/// <summary>Choices for one <see cref="AzFuseClient.Open(string, FileMode, OpenOptions)"/> call.</summary>
public sealed class OpenOptions
{
    /// <summary>
    /// Check a cached file against its blob before opening it (one HEAD request), whatever the
    /// mapping's <c>revalidate_after</c> says: if the blob changed, it is downloaded again; if it was
    /// deleted, the Open throws <see cref="FileNotFoundException"/>. A written file not yet uploaded
    /// is opened as it is. Only for reading (<see cref="FileMode.Open"/>).
    /// </summary>
    public bool Revalidate { get; init; }

    /// <summary>
    /// For writing: whether disposing the stream without <see cref="AzFuseWriteStream.Commit"/>
    /// discards the write instead of uploading it, so that an exception that ends the <c>using</c>
    /// block early uploads nothing. Default <see langword="null"/>: the client's
    /// <see cref="AzFuseOptions.RequireCommit"/> (itself <see langword="false"/> by default).
    /// </summary>
    public bool? RequireCommit { get; init; }

    /// <summary>
    /// For reading: return a read-only, seekable stream over the blob that fetches blocks on demand
    /// instead of downloading the whole file before the first byte can be read, so that a Parquet
    /// footer or a safetensors header of a file larger than the cache costs a block or two. Blocks
    /// land in a block cache under the cache folder, shared by every process of the machine and
    /// counted against the mapping's <c>max_cache_size</c>; sequential reads fetch ahead, up to
    /// <see cref="AzFuseOptions.ChunksInFlight"/> blocks. The length comes from one HEAD. A file that
    /// is already cached is simply opened. If the blob changes while it is streamed, a read fails
    /// with an <see cref="AzFuseException"/> instead of mixing versions. Default <see langword="false"/>.
    /// </summary>
    public bool Streaming { get; init; }
}
