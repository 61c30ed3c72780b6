namespace AzFuse.Upload;

/// <summary>
/// Whether a write ended with the bytes it started from, so that it need not be uploaded: a write
/// that uploads nothing can never push a stale cached copy over newer remote content.
/// </summary>
internal static class ContentComparison
{
    private const int BufferSize = 1 << 16;

    /// <summary>
    /// Whether the file at <paramref name="path"/> holds exactly the bytes of <paramref name="original"/>,
    /// an open handle on the content the write started from (cache files are replaced by renames,
    /// never changed in place, so the handle still holds those bytes).
    /// </summary>
    public static async ValueTask<bool> SameAsync(FileStream original, string path, bool async, CancellationToken cancellationToken)
    {
        using var written = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, async ? FileOptions.Asynchronous : FileOptions.None);
        if (written.Length != original.Length)
        {
            return false;
        }

        original.Position = 0;
        var left = new byte[BufferSize];
        var right = new byte[BufferSize];
        while (true)
        {
            var read = async ? await written.ReadAtLeastAsync(left, left.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) : written.ReadAtLeast(left, left.Length, throwOnEndOfStream: false);
            var readOriginal = async ? await original.ReadAtLeastAsync(right, read, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) : original.ReadAtLeast(right, read, throwOnEndOfStream: false);
            if (read != readOriginal || !left.AsSpan(0, read).SequenceEqual(right.AsSpan(0, read)))
            {
                return false;
            }

            if (read < left.Length)
            {
                return true;
            }
        }
    }
}
