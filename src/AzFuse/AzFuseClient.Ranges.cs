using AzFuse.Diagnostics;
using AzFuse.Engine;

namespace AzFuse;

/// <content>Range reads: part of a file without downloading it.</content>
public sealed partial class AzFuseClient
{
    /// <summary>
    /// Reads bytes at <paramref name="offset"/> of a file into <paramref name="buffer"/>, as the Python
    /// tool's <c>read_byte_range</c>: from the cached copy when the file is cached, otherwise straight
    /// from the blob (one ranged GET for up to 4 MiB, several in parallel for more), never downloading
    /// the whole file and caching nothing. Every remote byte is checked against the MD5 the service
    /// sends with it. Paths outside every mapping, and all paths when AzFuse is disabled, are read
    /// from the local file. To read a large file piece by piece, <see cref="OpenOptions.Streaming"/>
    /// caches the blocks it reads and reads ahead.
    /// </summary>
    /// <param name="path">A logical path.</param>
    /// <param name="offset">Where to start, in bytes from the start of the file.</param>
    /// <param name="buffer">Where the bytes go; as many are read as it holds, fewer only at the end of the file.</param>
    /// <returns>How many bytes were read: the buffer's length, fewer at the end of the file, 0 at or past it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="AzFuseException">The read failed after its retries; the message says why.</exception>
    public int ReadRange(string path, long offset, Memory<byte> buffer) =>
        ReadRangeCoreAsync(path, offset, buffer, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="ReadRange(string, long, Memory{byte})"/>
    /// <param name="path">A logical path.</param>
    /// <param name="offset">Where to start, in bytes from the start of the file.</param>
    /// <param name="buffer">Where the bytes go; as many are read as it holds, fewer only at the end of the file.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public ValueTask<int> ReadRangeAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ReadRangeCoreAsync(path, offset, buffer, async: true, cancellationToken);

    private async ValueTask<int> ReadRangeCoreAsync(string path, long offset, Memory<byte> buffer, bool async, CancellationToken cancellationToken)
    {
        if (offset < 0)
        {
            throw Errors.OffsetNegative(offset);
        }

        if (ResolveMapped(path) is { } resolved)
        {
            return await _engine.Value.Ranges.ReadAsync(resolved, offset, buffer, async, cancellationToken).ConfigureAwait(false);
        }

        using var local = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, async ? FileOptions.Asynchronous : FileOptions.None);
        return await RangeReader.ReadFileAsync(local, offset, buffer, async, cancellationToken).ConfigureAwait(false);
    }
}
