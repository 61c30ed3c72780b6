using Microsoft.Win32.SafeHandles;

namespace AzFuse.IO;

/// <summary>
/// A read-only, seekable stream over <c>length</c> bytes of an open file from <c>offset</c>, read
/// with positional reads: several windows over one handle can be read at once (the blocks of an
/// upload), and a request body is sent from the file without holding the block in memory.
/// </summary>
internal sealed class FileWindowStream : Stream
{
    private readonly SafeFileHandle _file;
    private readonly long _offset;
    private readonly long _length;
    private long _position;

    public FileWindowStream(SafeFileHandle file, long offset, long length)
    {
        _file = file;
        _offset = offset;
        _length = length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var wanted = (int)Math.Clamp(_length - _position, 0, buffer.Length);
        if (wanted == 0)
        {
            return 0;
        }

        var read = RandomAccess.Read(_file, buffer[..wanted], _offset + _position);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var wanted = (int)Math.Clamp(_length - _position, 0, buffer.Length);
        if (wanted == 0)
        {
            return 0;
        }

        var read = await RandomAccess.ReadAsync(_file, buffer[..wanted], _offset + _position, cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
