using AzFuse.Diagnostics;
using AzFuse.Paths;
using AzFuse.Remote;
using AzFuse.Transfer;
using Microsoft.Extensions.Logging;

namespace AzFuse.Engine;

/// <summary>
/// ReadRange: bytes at an offset of a file, from the cache file when it is cached (as an Open would
/// read it), otherwise straight from the blob by ranged GETs, without downloading the file or
/// caching anything (the Python tool's <c>read_byte_range</c>).
/// </summary>
/// <remarks>
/// Remote bytes come in pieces of at most 4 MiB, each checked against the MD5 the service sends with
/// it; a read of more than one piece fetches them in parallel, all of the version the first one was.
/// A small read is one GET.
/// </remarks>
internal sealed class RangeReader
{
    private readonly CacheReader _cache;
    private readonly BlobService _blobs;
    private readonly RangeFetcher _fetcher;
    private readonly ChunkSettings _chunks;
    private readonly ILogger _logger;

    public RangeReader(CacheReader cache, BlobService blobs, RangeFetcher fetcher, ChunkSettings chunks, ILogger logger)
    {
        _cache = cache;
        _blobs = blobs;
        _fetcher = fetcher;
        _chunks = chunks;
        _logger = logger;
    }

    /// <summary>Reads up to <paramref name="buffer"/>'s length from <paramref name="offset"/> of a mapped file; fewer only at its end.</summary>
    /// <returns>How many bytes were read: 0 at or past the end.</returns>
    /// <exception cref="FileNotFoundException">Neither a cached copy nor the blob exists.</exception>
    public async ValueTask<int> ReadAsync(ResolvedPath path, long offset, Memory<byte> buffer, bool async, CancellationToken cancellationToken)
    {
        if (path.CachePath == path.CacheRoot)
        {
            throw Errors.NotAFile(path.LogicalPath, path.CachePath);
        }

        if (_cache.TryOpenCurrent(path, forceCheck: false, async) is { } local)
        {
            using (local)
            {
                return await ReadFileAsync(local, offset, buffer, async, cancellationToken).ConfigureAwait(false);
            }
        }

        if (buffer.Length == 0)
        {
            return 0;
        }

        // The first piece tells the blob's length and version; the rest (a large read) follow it in parallel.
        var piece = _chunks.VerifiedRange;
        var (first, exists) = await _blobs.DownloadRangeAsync(path.Blob, offset, Math.Min(buffer.Length, piece), ifMatch: null, withMd5: _chunks.Verify, async, cancellationToken).ConfigureAwait(false);
        if (!exists)
        {
            throw Errors.BlobNotFound(path.LogicalPath, path.Blob);
        }

        if (first is null)
        {
            return 0; // at or past the end
        }

        using var firstPiece = first;
        var blob = first.Properties;
        if (blob.IsFolder)
        {
            throw Errors.NotAFile(path.LogicalPath, path.Blob.DisplayName);
        }

        var count = (int)Math.Min(buffer.Length, blob.Length - offset);
        var pieces = (count + piece - 1) / piece;
        ValueTask<byte[]?> Fetch(int index, BlobDownload? opened, bool isAsync, CancellationToken ct)
        {
            var start = index * piece;
            return _fetcher.FetchAsync(
                path.Blob,
                blob.ETag!,
                offset + start,
                Math.Min(piece, count - start),
                withMd5: _chunks.Verify,
                (at, bytes, _, _) =>
                {
                    bytes.CopyTo(buffer[(int)(start + at)..]);
                    return default;
                },
                opened,
                isAsync,
                ct);
        }

        if (pieces == 1)
        {
            await Fetch(0, first, async, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var next = 0;
            await ParallelWorkers.RunAsync(
                Math.Min(_chunks.InFlight, pieces),
                async (_, isAsync, ct) =>
                {
                    for (var index = Interlocked.Increment(ref next) - 1; index < pieces; index = Interlocked.Increment(ref next) - 1)
                    {
                        await Fetch(index, index == 0 ? first : null, isAsync, ct).ConfigureAwait(false);
                    }
                },
                async,
                cancellationToken).ConfigureAwait(false);
        }

        Log.RangeReadRemote(_logger, path.LogicalPath, offset, count);
        return count;
    }

    /// <summary>Reads from a local file at <paramref name="offset"/> until <paramref name="buffer"/> is full or the file ends.</summary>
    public static async ValueTask<int> ReadFileAsync(FileStream file, long offset, Memory<byte> buffer, bool async, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = async
                ? await RandomAccess.ReadAsync(file.SafeFileHandle, buffer[total..], offset + total, cancellationToken).ConfigureAwait(false)
                : RandomAccess.Read(file.SafeFileHandle, buffer.Span[total..], offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
