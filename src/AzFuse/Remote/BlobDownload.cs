using Azure.Storage.Blobs.Models;

namespace AzFuse.Remote;

/// <summary>
/// An open GET of a blob or of a range of it: the blob's properties from the response headers, and the body to read.
/// Disposing it before the body is read to its end aborts the transfer (the connection is closed).
/// </summary>
/// <remarks>
/// A read of the body that makes no progress for <see cref="AzFuseOptions.TransferStallTimeout"/>
/// fails: the Azure SDK applies its network timeout to every read of a streamed body, synchronous
/// reads included (it closes the stream under a hung read).
/// </remarks>
internal sealed class BlobDownload : IDisposable
{
    private readonly BlobDownloadStreamingResult _result;

    public BlobDownload(BlobProperties properties, BlobDownloadStreamingResult result, TimeSpan stallTimeout, long? bodyLength = null, byte[]? rangeMd5 = null)
    {
        Properties = properties;
        _result = result;
        StallTimeout = stallTimeout;
        BodyLength = bodyLength ?? properties.Length;
        RangeMd5 = rangeMd5;
    }

    public BlobProperties Properties { get; }

    /// <summary>The bytes in the body: the blob's length for a whole GET, the range's for a ranged one.</summary>
    public long BodyLength { get; }

    /// <summary>The MD5 of the body the service computed for a ranged GET that asked for it (at most 4 MiB); otherwise <see langword="null"/>.</summary>
    public byte[]? RangeMd5 { get; }

    /// <summary>How long a read of the body may wait for bytes before it fails.</summary>
    public TimeSpan StallTimeout { get; }

    /// <summary>The body.</summary>
    public Stream Content => _result.Content;

    public void Dispose() => _result.Dispose();
}
