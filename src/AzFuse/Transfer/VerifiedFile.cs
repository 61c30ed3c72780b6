using System.Security.Cryptography;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>
/// The receiving end of every single-file download (HTTP or azcopy's pipe): bytes are written to
/// the file and hashed as they stream past, and <see cref="Complete"/> accepts the file only when
/// its length, and its MD5 where the blob has one, match the blob's; then flushes it to disk.
/// </summary>
/// <remarks>
/// A full disk is a <see cref="DiskFullException"/> (an IOException naming the folder and the bytes
/// still needed), never a transient transfer failure: downloading again cannot make room, so it is
/// not retried. The caller deletes the partial file, as after any failure.
/// </remarks>
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

        // A new file: whatever is at the name (a killed fill's leftover, or a link someone put
        // there) is removed first, never written through.
        File.Delete(path);
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, async ? FileOptions.Asynchronous : FileOptions.None);
        _md5 = expected.ContentMd5 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);

        // At its full length from the start (a sparse file: nothing is allocated): a bounded cache
        // counts the fills in flight in every process by their files' lengths (CacheSpace).
        try
        {
            _file.SetLength(expected.Length);
        }
        catch (IOException ex) when (DiskSpace.IsFull(ex))
        {
            _file.Dispose();
            throw Errors.DiskFull(Path.GetDirectoryName(path)!, blob.DisplayName, expected.Length, ex);
        }
    }

    public long Written { get; private set; }

    public async ValueTask WriteAsync(byte[] buffer, int count, bool async, CancellationToken cancellationToken)
    {
        _md5?.AppendData(buffer, 0, count);
        try
        {
            if (async)
            {
                await _file.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _file.Write(buffer, 0, count);
            }
        }
        catch (IOException ex) when (DiskSpace.IsFull(ex))
        {
            throw DiskFull(ex);
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
        try
        {
            _file.Flush(flushToDisk: true);
        }
        catch (IOException ex) when (DiskSpace.IsFull(ex))
        {
            throw DiskFull(ex);
        }
    }

    private IOException DiskFull(IOException ex) =>
        Errors.DiskFull(Path.GetDirectoryName(_file.Name)!, _blob.DisplayName, _expected.Length - Written, ex);

    public void Dispose()
    {
        _file.Dispose();
        _md5?.Dispose();
    }
}
