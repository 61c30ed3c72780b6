using AzFuse.Diagnostics;

namespace AzFuse.Upload;

/// <summary>
/// The stream a write-mode Open returns: a private file that nobody else sees until it is
/// closed, then made durable, renamed into place and handed to the uploader. A stream that is
/// never disposed commits nothing; its private file is pruned later.
/// </summary>
internal sealed class WriteStream : Stream
{
    private readonly FileStream _inner;
    private readonly WriteSession _session;
    private readonly FileWriter _writer;
    private bool _closed;

    public WriteStream(FileStream inner, WriteSession session, FileWriter writer)
    {
        _inner = inner;
        _session = session;
        _writer = writer;
    }

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => _inner.CanSeek;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int ReadByte() => _inner.ReadByte();

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void WriteByte(byte value) => _inner.WriteByte(value);

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void SetLength(long value) => _inner.SetLength(value);

    /// <summary>Closes the file and commits it: uploaded (or queued, in an AsyncUpload scope) before this returns.</summary>
    /// <exception cref="AzFuseTransferException">A synchronous upload failed; the content and its record are kept for ResumePendingUploads.</exception>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            CloseInner();
            _writer.CommitAsync(_session, async: false, CancellationToken.None).EnsureCompleted();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc cref="Dispose(bool)"/>
    public override async ValueTask DisposeAsync()
    {
        if (!_closed)
        {
            _closed = true;
            CloseInner();
            await _writer.CommitAsync(_session, async: true, CancellationToken.None).ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void CloseInner()
    {
        try
        {
            // Durable before it is renamed into place and recorded: a record must never point
            // at content that a power loss could turn into an empty file.
            _inner.Flush(flushToDisk: true);
        }
        catch
        {
            _inner.Dispose();
            _writer.Abandon(_session);
            throw;
        }

        _inner.Dispose();
    }
}
