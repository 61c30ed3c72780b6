using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Remote;
using Microsoft.Extensions.Logging;

namespace AzFuse.Transfer;

/// <summary>
/// Uploads a large file as blocks, several at a time, committed with one Put Block List that also
/// stores the whole file's Content-MD5. Nothing is visible until the commit, so a killed upload
/// leaves the blob as it was; and the next upload of the same content stages only the blocks the
/// service does not hold yet (its uncommitted block list says which), so a resumed upload picks up
/// where the killed one stopped.
/// </summary>
/// <remarks>
/// A block's id is its index and its MD5 (<c>azfuse1-000042-&lt;md5&gt;</c>, base64): equal ids mean
/// equal bytes, which is what lets a staged block be reused without reading it back. Each block is
/// sent with its MD5, which the service checks before accepting it; the whole file's MD5 is computed
/// by one sequential read alongside. Bodies are sent straight from the file (see
/// <see cref="FileWindowStream"/>): memory does not grow with the block size or the blocks in flight.
/// The block size is the chunk size, grown where the file would need more than 50,000 blocks.
/// </remarks>
internal sealed class BlockUploader
{
    private readonly BlobService _blobs;
    private readonly ChunkSettings _chunks;
    private readonly ILogger _logger;

    public BlockUploader(BlobService blobs, ChunkSettings chunks, ILogger logger)
    {
        _blobs = blobs;
        _chunks = chunks;
        _logger = logger;
    }

    /// <summary>Whether a file of <paramref name="length"/> bytes goes as blocks rather than one Put Blob.</summary>
    public bool Takes(long length) => length > _chunks.ChunkSize;

    /// <summary>Uploads the whole of <paramref name="source"/> as <paramref name="blob"/>, replacing it once every block is staged.</summary>
    /// <returns>The MD5 of what was uploaded, as stored with the blob.</returns>
    public async ValueTask<byte[]> UploadAsync(BlobLocation blob, FileStream source, bool async, CancellationToken cancellationToken)
    {
        var length = source.Length;
        var blockSize = _chunks.BlockSizeFor(length) ?? throw Errors.TooLargeToUpload(blob, length, ChunkSettings.MaxBlockSize * _chunks.BlockCountLimit);
        var count = (int)((length + blockSize - 1) / blockSize);
        var staged = await _blobs.GetUncommittedBlocksAsync(blob, async, cancellationToken).ConfigureAwait(false);
        var ids = new string[count];
        var next = -1;
        var reused = 0;
        byte[]? md5 = null;
        var workers = Math.Min(_chunks.InFlight, count);
        Log.BlockUpload(_logger, blob.DisplayName, count, blockSize, workers, staged.Count);

        await ParallelWorkers.RunAsync(
            workers + 1,
            async (worker, isAsync, ct) =>
            {
                if (worker == workers)
                {
                    md5 = await HashAsync(source, 0, length, isAsync, ct).ConfigureAwait(false);
                    return;
                }

                for (var index = Interlocked.Increment(ref next); index < count; index = Interlocked.Increment(ref next))
                {
                    var offset = index * blockSize;
                    var size = Math.Min(blockSize, length - offset);
                    var blockMd5 = await HashAsync(source, offset, size, isAsync, ct).ConfigureAwait(false);
                    var id = BlockId(index, blockMd5);
                    ids[index] = id;
                    if (staged.TryGetValue(id, out var stagedSize) && stagedSize == size)
                    {
                        Interlocked.Increment(ref reused);
                        continue;
                    }

                    using var window = new FileWindowStream(source.SafeFileHandle, offset, size);
                    await _blobs.StageBlockAsync(blob, id, window, blockMd5, isAsync, ct).ConfigureAwait(false);
                }
            },
            async,
            cancellationToken).ConfigureAwait(false);

        await _blobs.CommitBlocksAsync(blob, ids, md5!, async, cancellationToken).ConfigureAwait(false);
        return md5!;
    }

    /// <summary>The id of block <paramref name="index"/> with content of MD5 <paramref name="md5"/>: the same length for every block, as the service requires.</summary>
    private static string BlockId(int index, byte[] md5) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"azfuse1-{index:D6}-{Convert.ToHexString(md5)}")));

    private static async ValueTask<byte[]> HashAsync(FileStream source, long offset, long length, bool async, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSettings.BufferSize);
        try
        {
            for (long at = 0; at < length;)
            {
                var into = buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - at));
                var read = async
                    ? await RandomAccess.ReadAsync(source.SafeFileHandle, into, offset + at, cancellationToken).ConfigureAwait(false)
                    : RandomAccess.Read(source.SafeFileHandle, into.Span, offset + at);
                if (read == 0)
                {
                    throw new IOException($"'{source.Name}' ended at {offset + at} bytes while it was being uploaded.");
                }

                md5.AppendData(buffer, 0, read);
                at += read;
            }

            return md5.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
