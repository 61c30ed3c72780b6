using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Upload;
using Microsoft.Extensions.Logging;

namespace AzFuse;

/// <summary>
/// The stream a write-mode <see cref="AzFuseClient.Open(string, FileMode, FileAccess)"/> returns
/// (and <see cref="AzFuseClient.OpenWrite"/>, typed): a private file that no reader sees until it is
/// committed, then put in place and uploaded (or queued, in an
/// <see cref="AzFuseClient.AsyncUpload(bool, bool)"/> scope).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Commit"/> ends the write and uploads it; <see cref="Discard"/> ends it and drops it:
/// nothing is uploaded, the cached copy and the blob stay as they were, and no pending-upload
/// record is left. Disposing a stream that is neither commits it, unless
/// <see cref="OpenOptions.RequireCommit"/> (or <see cref="AzFuseOptions.RequireCommit"/>) is set:
/// then Dispose without Commit discards, so that an exception that ends a <c>using</c> block early
/// uploads nothing. .NET gives a <c>Dispose</c> no way to tell whether its block is ending by an
/// exception, so without that option a stream cannot know it.
/// </para>
/// <para>
/// A stream any of whose writes, flushes or truncations failed is never uploaded: Dispose discards
/// it (the failure was already thrown), and Commit throws. A stream that ends with the content it
/// started with (an <see cref="FileMode.Open"/> for reading and writing that only read, an
/// <see cref="FileMode.Append"/> that added nothing) uploads nothing and sends no request.
/// </para>
/// <para>
/// With <see cref="OpenOptions.RequireCommit"/>, a writer that closes the stream it wraps
/// (<see cref="StreamWriter"/>, <c>ZipArchive</c> without <c>leaveOpen</c>) discards it when disposed:
/// pass <c>leaveOpen: true</c>, or use <see cref="AzFuseClient.Write(string, Action{Stream})"/>,
/// whose stream only commits when the delegate returns.
/// </para>
/// </remarks>
public sealed class AzFuseWriteStream : Stream
{
    // Not readonly: a write staged in shared memory that runs out of room moves to disk (MoveToDisk).
    private FileStream _inner;
    private IWriteTarget _target;
    private readonly FileStream? _original;
    private readonly bool _requireCommit;
    private readonly ILogger _logger;
    private State _state;
    private Exception? _failure;
    private bool _written;

    internal AzFuseWriteStream(FileStream inner, IWriteTarget target, FileStream? original, bool requireCommit, ILogger logger)
    {
        _inner = inner;
        _target = target;
        _original = original;
        _requireCommit = requireCommit;
        _logger = logger;
    }

    private enum State
    {
        Open,
        Committed,
        Discarded,
    }

    /// <inheritdoc/>
    public override bool CanRead => _state == State.Open && _inner.CanRead;

    /// <inheritdoc/>
    public override bool CanSeek => _state == State.Open && _inner.CanSeek;

    /// <inheritdoc/>
    public override bool CanWrite => _state == State.Open && _inner.CanWrite;

    /// <inheritdoc/>
    public override long Length => _inner.Length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    /// <summary>
    /// Set by <see cref="AzFuseClient.Write(string, Action{Stream})"/>: a Dispose from inside the
    /// delegate (a StreamWriter that owns the stream) only flushes; the caller commits or discards.
    /// </summary>
    internal bool DeferDispose { get; set; }

    /// <summary>
    /// Ends the write and uploads it (or queues it, in an <see cref="AzFuseClient.AsyncUpload(bool, bool)"/>
    /// scope): the file is flushed to disk, put in place of the cached copy, recorded as pending,
    /// and uploaded before this returns. Content equal to what the stream started with is not
    /// uploaded. Does nothing when already committed.
    /// </summary>
    /// <exception cref="IOException">An earlier write, flush or truncation failed: the write was discarded, nothing was uploaded.</exception>
    /// <exception cref="InvalidOperationException">The write was discarded.</exception>
    /// <exception cref="AzFuseTransferException">The upload failed; the content and its pending-upload record are kept for <see cref="AzFuseClient.ResumePendingUploads"/>.</exception>
    public void Commit() => CommitCoreAsync(async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Commit"/>
    /// <param name="cancellationToken">Cancels waiting for another process that holds the file's lock; once the write is recorded, its upload goes on.</param>
    public Task CommitAsync(CancellationToken cancellationToken = default) => CommitCoreAsync(async: true, cancellationToken).AsTask();

    /// <summary>
    /// Ends the write and drops it: nothing is uploaded, the cached copy and the blob stay as they
    /// were, and no pending-upload record is left. Does nothing when already committed or discarded.
    /// </summary>
    public void Discard()
    {
        if (_state != State.Open)
        {
            return;
        }

        _state = State.Discarded;
        Drop();
        Log.WriteDiscarded(_logger, _target.LogicalPath);
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc/>
    public override int ReadByte() => _inner.ReadByte();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _written = true;
        var position = _inner.Position;
        try
        {
            _inner.Write(buffer);
            return;
        }
        catch (Exception ex) when (IsSharedMemoryFull(ex))
        {
            // Moved to disk below; the write is then done again, whole, from where it began.
        }
        catch (Exception ex) when (Failed(ex, buffer.Length) is { } diskFull)
        {
            throw diskFull;
        }

        MoveToDisk(position, async: false);
        try
        {
            _inner.Write(buffer);
        }
        catch (Exception ex) when (Failed(ex, buffer.Length) is { } diskFull)
        {
            throw diskFull;
        }
    }

    /// <inheritdoc/>
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _written = true;
        var position = _inner.Position;
        try
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (IsSharedMemoryFull(ex))
        {
            // Moved to disk below, as in Write.
        }
        catch (Exception ex) when (Failed(ex, buffer.Length) is { } diskFull)
        {
            throw diskFull;
        }

        MoveToDisk(position, async: true);
        try
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Failed(ex, buffer.Length) is { } diskFull)
        {
            throw diskFull;
        }
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        try
        {
            _inner.Flush();
        }
        catch (Exception ex) when (Failed(ex, 0) is { } diskFull)
        {
            throw diskFull;
        }
    }

    /// <inheritdoc/>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Failed(ex, 0) is { } diskFull)
        {
            throw diskFull;
        }
    }

    /// <inheritdoc/>
    public override void SetLength(long value)
    {
        _written = true;
        try
        {
            _inner.SetLength(value);
        }
        catch (Exception ex) when (Failed(ex, Math.Max(0, value - _inner.Length)) is { } diskFull)
        {
            throw diskFull;
        }
    }

    /// <summary>Commits the write (see <see cref="Commit"/>), or discards it when a write failed or <see cref="OpenOptions.RequireCommit"/> is set and Commit was not called.</summary>
    /// <exception cref="AzFuseTransferException">A synchronous upload failed; the content and its record are kept for ResumePendingUploads.</exception>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _state == State.Open)
        {
            if (DeferDispose)
            {
                Flush();
                return;
            }

            if (EndsUncommitted())
            {
                Discard();
            }
            else
            {
                CommitCoreAsync(async: false, CancellationToken.None).EnsureCompleted();
            }
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc cref="Dispose(bool)"/>
    public override async ValueTask DisposeAsync()
    {
        if (_state == State.Open)
        {
            if (DeferDispose)
            {
                await FlushAsync(CancellationToken.None).ConfigureAwait(false);
                return;
            }

            if (EndsUncommitted())
            {
                Discard();
            }
            else
            {
                await CommitCoreAsync(async: true, CancellationToken.None).ConfigureAwait(false);
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Whether a Dispose now discards: a write failed (already thrown to the caller), or the caller must commit and did not.</summary>
    private bool EndsUncommitted()
    {
        if (_failure is not null)
        {
            Log.WriteFailedAndDiscarded(_logger, _target.LogicalPath, _failure);
            return true;
        }

        return _requireCommit;
    }

    private async ValueTask CommitCoreAsync(bool async, CancellationToken cancellationToken)
    {
        switch (_state)
        {
            case State.Committed:
                return;
            case State.Discarded:
                throw Errors.WriteAlreadyDiscarded(_target.LogicalPath);
        }

        if (_failure is not null)
        {
            _state = State.Discarded;
            Drop();
            throw Errors.WriteFailedEarlier(_target.LogicalPath, _failure);
        }

        // From here the write is committed, whatever happens: a Dispose after a failed upload must
        // not try again (the content and its record are kept for ResumePendingUploads).
        _state = State.Committed;
        try
        {
            // Written out to the file; whether it must reach the disk before it is renamed into
            // place is the target's to decide (a small write in a scope keeps its bytes in the
            // upload journal instead; a local write is not flushed, as File.WriteAllText is not).
            _inner.Flush(flushToDisk: false);
        }
        catch (Exception ex) when (Dropped() && DiskSpace.IsFull(ex))
        {
            throw Errors.DiskFull(_target.Folder, _target.LogicalPath, neededBytes: null, ex);
        }

        // Closed before the comparison reads it back (the open file holds an exclusive lock).
        var length = _inner.Length;
        _inner.Dispose();
        bool unchanged;
        try
        {
            unchanged = await IsUnchangedAsync(length, async, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            unchanged = false; // could not compare: upload, as a write always did
        }
        finally
        {
            _original?.Dispose();
        }

        if (unchanged)
        {
            _target.Discard();
            Log.WriteUnchanged(_logger, _target.LogicalPath);
            return;
        }

        await _target.CommitAsync(async, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether the file ends with the bytes it started with: never written to, or written back to
    /// the same content. Only a stream that started from the file's content can be unchanged
    /// (<see cref="FileMode.Create"/> and <see cref="FileMode.Truncate"/> replace it by definition).
    /// </summary>
    private async ValueTask<bool> IsUnchangedAsync(long length, bool async, CancellationToken cancellationToken)
    {
        if (_original is null)
        {
            return false;
        }

        if (!_written)
        {
            return true;
        }

        return length == _original.Length && await ContentComparison.SameAsync(_original, _target.TempPath, async, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records the first failure of a write, flush or truncation (an exception filter, so that the
    /// original keeps its stack): such a stream is never uploaded.
    /// </summary>
    /// <returns>The exception to throw instead (a full disk, named), or <see langword="null"/> to rethrow the original.</returns>
    private IOException? Failed(Exception ex, long attempted)
    {
        var diskFull = DiskSpace.IsFull(ex) ? Errors.DiskFull(_target.Folder, _target.LogicalPath, attempted, ex) : null;
        _failure ??= diskFull ?? ex;
        return diskFull;
    }

    /// <summary>A write into shared memory that found it full: the write moves to disk and goes on.</summary>
    private bool IsSharedMemoryFull(Exception ex) => _target.InSharedMemory && DiskSpace.IsFull(ex);

    private void MoveToDisk(long position, bool async)
    {
        try
        {
            (_inner, _target) = _target.MoveToDisk(_inner, position, async);
        }
        catch (Exception ex) when (Failed(ex, 0) is { } diskFull)
        {
            throw diskFull; // the disk is full too
        }
    }

    private void Drop()
    {
        _inner.Dispose();
        _original?.Dispose();
        _target.Discard();
    }

    /// <summary><see cref="Drop"/> as an exception filter: the write is dropped whatever the exception.</summary>
    private bool Dropped()
    {
        Drop();
        return true;
    }
}
