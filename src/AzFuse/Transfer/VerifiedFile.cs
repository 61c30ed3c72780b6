using System.Security.Cryptography;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>
/// The receiving end of every single-stream download (one HTTP GET or azcopy's pipe): bytes are
/// written in order to a <see cref="PartialFile"/> and hashed as they stream past, and
/// <see cref="Complete"/> accepts the file only when its length, its MD5 where the blob has one,
/// and the range MD5 the service sent where it sent one, match; then flushes it to disk. Unverified
/// (<see cref="AzFuseOptions.VerifyDownloads"/> off), only the length is checked.
/// </summary>
/// <remarks>
/// A full disk is a <see cref="DiskFullException"/> (an IOException naming the folder and the bytes
/// still needed), never a transient transfer failure: downloading again cannot make room, so it is
/// not retried. The caller deletes the partial file, as after any failure.
/// </remarks>
internal sealed class VerifiedFile : IDisposable
{
    private readonly PartialFile _file;
    private readonly IncrementalHash? _md5;
    private readonly BlobLocation _blob;
    private readonly BlobProperties _expected;
    private readonly byte[]? _bodyMd5;

    /// <param name="path">The file to create (whatever is at the name is removed first).</param>
    /// <param name="blob">The blob, for messages.</param>
    /// <param name="expected">The blob's length and stored MD5.</param>
    /// <param name="async">Whether writes are asynchronous.</param>
    /// <param name="verify">Whether to check the MD5s (<see cref="AzFuseOptions.VerifyDownloads"/>); the length is checked either way.</param>
    /// <param name="bodyMd5">The MD5 the service sent with a ranged GET of the whole blob, checked as well.</param>
    /// <param name="takeSpare">Gives a file made ahead to rename to <paramref name="path"/> instead of creating it (see <see cref="PartialFile.Create"/>).</param>
    public VerifiedFile(string path, BlobLocation blob, BlobProperties expected, bool async, bool verify, byte[]? bodyMd5 = null, Func<string?>? takeSpare = null)
    {
        _blob = blob;
        _expected = verify ? expected : expected with { ContentMd5 = null };
        _bodyMd5 = verify ? bodyMd5 : null;
        _file = PartialFile.Create(path, blob, expected.Length, async, takeSpare);
        _md5 = _expected.ContentMd5 is null && _bodyMd5 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    }

    public long Written { get; private set; }

    public async ValueTask WriteAsync(byte[] buffer, int count, bool async, CancellationToken cancellationToken)
    {
        _md5?.AppendData(buffer, 0, count);
        await _file.WriteAsync(Written, buffer.AsMemory(0, count), async, cancellationToken).ConfigureAwait(false);
        Written += count;
    }

    /// <summary>Checks what arrived and makes it durable; throws when it is not the blob.</summary>
    public void Complete()
    {
        if (Written != _expected.Length)
        {
            throw Errors.LengthMismatch(_blob, _expected.Length, Written);
        }

        if (_md5 is not null)
        {
            var md5 = _md5.GetHashAndReset();
            if (_bodyMd5 is not null && !md5.AsSpan().SequenceEqual(_bodyMd5))
            {
                throw Errors.RangeMd5Mismatch(_blob, 0, Written);
            }

            if (_expected.ContentMd5 is not null && !md5.AsSpan().SequenceEqual(_expected.ContentMd5))
            {
                throw Errors.Md5Mismatch(_blob);
            }
        }

        _file.Flush();
    }

    public void Dispose()
    {
        _file.Dispose();
        _md5?.Dispose();
    }
}
