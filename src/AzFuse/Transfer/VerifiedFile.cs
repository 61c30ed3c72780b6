using System.Security.Cryptography;
using AzFuse.Diagnostics;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>
/// The receiving end of every single-file download (HTTP or azcopy's pipe): bytes are written to
/// the file and hashed as they stream past, and <see cref="Complete"/> accepts the file only when
/// its length, and its MD5 where the blob has one, match the blob's; then flushes it to disk.
/// </summary>
internal sealed class VerifiedFile : IDisposable
{
    private readonly FileStream _file;
    private readonly IncrementalHash? _md5;
    private readonly BlobLocation _blob;
    private readonly BlobProperties _expected;

    public VerifiedFile(string path, BlobLocation blob, BlobProperties expected, bool async)
    {
        _blob = blob;
        _expected = expected;
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, async ? FileOptions.Asynchronous : FileOptions.None);
        _md5 = expected.ContentMd5 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    }

    public long Written { get; private set; }

    public async ValueTask WriteAsync(byte[] buffer, int count, bool async, CancellationToken cancellationToken)
    {
        _md5?.AppendData(buffer, 0, count);
        if (async)
        {
            await _file.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _file.Write(buffer, 0, count);
        }

        Written += count;
    }

    /// <summary>Checks what arrived and makes it durable; throws when it is not the blob.</summary>
    public void Complete()
    {
        if (Written != _expected.Length)
        {
            throw Errors.LengthMismatch(_blob, _expected.Length, Written);
        }

        if (_md5 is not null && !_md5.GetHashAndReset().AsSpan().SequenceEqual(_expected.ContentMd5))
        {
            throw Errors.Md5Mismatch(_blob);
        }

        // Durable before it is renamed into place: after a power loss, a renamed but unflushed
        // file can come back empty, and an empty file at the cache path looks cached.
        _file.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        _file.Dispose();
        _md5?.Dispose();
    }
}
