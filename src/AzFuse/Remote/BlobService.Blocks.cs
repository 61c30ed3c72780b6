using AzFuse.Diagnostics;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs.Models;

namespace AzFuse.Remote;

/// <content>
/// The block operations of a parallel upload: Put Block, Get Block List (uncommitted) and Put Block
/// List. Blocks stay invisible until the list is committed, and the blob as it was stays readable
/// until then.
/// </content>
internal sealed partial class BlobService
{
    /// <summary>The blocks staged for the blob and not committed yet, by id, with their sizes; empty when there are none (or no blob).</summary>
    public ValueTask<IReadOnlyDictionary<string, long>> GetUncommittedBlocksAsync(BlobLocation blob, bool async, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyDictionary<string, long>>(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                var client = _clients.BlockBlob(blob);
                try
                {
                    var list = isAsync
                        ? await client.GetBlockListAsync(BlockListTypes.Uncommitted, cancellationToken: ct).ConfigureAwait(false)
                        : client.GetBlockList(BlockListTypes.Uncommitted, cancellationToken: ct);
                    var blocks = new Dictionary<string, long>(StringComparer.Ordinal);
                    foreach (var block in list.Value.UncommittedBlocks)
                    {
                        blocks[block.Name] = block.SizeLong;
                    }

                    return blocks;
                }
                catch (RequestFailedException ex) when (StorageFailures.IsBlobNotFound(ex))
                {
                    return new Dictionary<string, long>();
                }
            },
            async,
            cancellationToken);

    /// <summary>
    /// Stages <paramref name="content"/> (seekable; read from its start to its end on each attempt)
    /// as block <paramref name="blockId"/>; the service checks it against <paramref name="md5"/> before
    /// accepting it.
    /// </summary>
    public async ValueTask StageBlockAsync(BlobLocation blob, string blockId, Stream content, byte[] md5, bool async, CancellationToken cancellationToken) =>
        await RunAsync(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                content.Position = 0;
                var options = new BlockBlobStageBlockOptions
                {
                    TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5, PrecalculatedChecksum = md5 },
                };
                var client = _clients.BlockBlob(blob);
                try
                {
                    _ = isAsync ? await client.StageBlockAsync(blockId, content, options, ct).ConfigureAwait(false) : client.StageBlock(blockId, content, options, ct);
                }
                catch (RequestFailedException ex) when (ex.Status == 400 && ex.ErrorCode == "Md5Mismatch")
                {
                    // Damaged on the way: the next attempt sends the block again.
                    throw Errors.BlockDamaged(blob);
                }

                return true;
            },
            async,
            cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Commits <paramref name="blockIds"/>, in order, as the blob's content, storing the whole file's
    /// <paramref name="md5"/> and its Content-Type: until this returns, readers see the blob as it was.
    /// </summary>
    public async ValueTask CommitBlocksAsync(BlobLocation blob, IReadOnlyList<string> blockIds, byte[] md5, bool async, CancellationToken cancellationToken) =>
        await RunAsync(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                var options = new CommitBlockListOptions { HttpHeaders = new BlobHttpHeaders { ContentHash = md5, ContentType = ContentTypes.Of(blob.BlobName) } };
                var client = _clients.BlockBlob(blob);
                _ = isAsync ? await client.CommitBlockListAsync(blockIds, options, ct).ConfigureAwait(false) : client.CommitBlockList(blockIds, options, ct);
                return true;
            },
            async,
            cancellationToken).ConfigureAwait(false);
}
