using AzFuse.Cache;
using AzFuse.Diagnostics;
using AzFuse.Paths;
using AzFuse.Remote;
using Microsoft.Extensions.Logging;

namespace AzFuse.Engine;

/// <summary>Opens a blob that is not cached as a <see cref="BlockStream"/> (<see cref="OpenOptions.Streaming"/>): one HEAD, no download.</summary>
internal sealed class StreamOpener
{
    private readonly BlobService _blobs;
    private readonly BlockCache _blocks;
    private readonly CacheSpace _space;
    private readonly int _readAhead;
    private readonly ILogger _logger;

    public StreamOpener(BlobService blobs, BlockCache blocks, CacheSpace space, int readAhead, ILogger logger)
    {
        _blobs = blobs;
        _blocks = blocks;
        _space = space;
        _readAhead = readAhead;
        _logger = logger;
    }

    /// <exception cref="FileNotFoundException">The blob does not exist.</exception>
    public async ValueTask<Stream> OpenAsync(ResolvedPath path, bool async, CancellationToken cancellationToken)
    {
        var blob = await _blobs.GetPropertiesAsync(path.Blob, async, cancellationToken).ConfigureAwait(false)
            ?? throw Errors.BlobNotFound(path.LogicalPath, path.Blob);
        if (blob.IsFolder)
        {
            throw Errors.NotAFile(path.LogicalPath, path.Blob.DisplayName);
        }

        if (blob.Length == 0)
        {
            return new MemoryStream([], writable: false);
        }

        var file = _blocks.Describe(path, blob);
        _space.Adjust(path.CacheRoot, -BlockCache.DropOtherVersions(file));
        Log.Streaming(_logger, path.LogicalPath, blob.Length, file.BlockSize);
        return new BlockStream(_blocks, file, _readAhead);
    }
}
