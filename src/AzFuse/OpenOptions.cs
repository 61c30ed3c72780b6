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
}
