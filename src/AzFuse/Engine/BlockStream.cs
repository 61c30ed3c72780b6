using System.Buffers;
using AzFuse.Cache;
using AzFuse.Diagnostics;

namespace AzFuse.Engine;

/// <summary>
/// A read-only, seekable stream over one version of a blob, read block by block through the
/// <see cref="BlockCache"/> (<see cref="OpenOptions.Streaming"/>): a read at any position costs the
/// block that holds it, fetched unless some process has it already; reads that go on from where the
/// last one ended (or start at the beginning) fetch ahead, 2 blocks at first, doubling at each block boundary up to
/// <see cref="AzFuseOptions.ChunksInFlight"/> blocks, so that a full scan runs at the speed of a
/// parallel download while a random read costs one block.
/// </summary>
/// <remarks>
/// Every block is fetched with the ETag the stream was opened with: when the blob changes, the next
/// block that is not cached yet fails the read with a <see cref="BlobChangedException"/> (the blocks
/// of each version have their own folder, so bytes of two versions never meet). The block being read
/// and the blocks read ahead are held open, which keeps eviction off them. Like a
/// <see cref="FileStream"/>, an instance is for one reader at a time.
/// </remarks>
internal sealed class BlockStream : Stream
{
    private readonly BlockCache _cache;
    private readonly StreamedBlob _file;
    private readonly int _maxAhead;
    private readonly CancellationTokenSource _closing = new();
    private readonly Dictionary<int, Task<FileStream>> _ahead = [];
    private FileStream? _block;
    private int _blockIndex = -1;
    private long _position;
    private long _lastEnd = -1;
    private int _window;
    private bool _disposed;

    public BlockStream(BlockCache cache, StreamedBlob file, int maxAhead)
    {
        _cache = cache;
        _file = file;
        _maxAhead = maxAhead;
    }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    public override long Length => _file.Blob.Length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The position must not be negative.");
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadCoreAsync(buffer.AsMemory(offset, count), async: false, CancellationToken.None).EnsureCompleted();
    }

    public override int Read(Span<byte> buffer)
    {
        // Through an array (a span cannot cross the shared sync/async path); a read may return less
        // than asked, so one block's worth at most.
        var rented = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length, _file.BlockSize));
        try
        {
            var read = ReadCoreAsync(rented.AsMemory(0, Math.Min(buffer.Length, rented.Length)), async: false, CancellationToken.None).EnsureCompleted();
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadCoreAsync(buffer.AsMemory(offset, count), async: true, cancellationToken).AsTask();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ReadCoreAsync(buffer, async: true, cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => Length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("A streamed blob is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A streamed blob is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _closing.Cancel();
            _block?.Dispose();
            foreach (var ahead in _ahead.Values)
            {
                Release(ahead);
            }

            _ahead.Clear();
            _closing.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Closes a block read ahead (when its fetch is done), observing a failure nobody will read.</summary>
    private static void Release(Task<FileStream> ahead) =>
        ahead.ContinueWith(
            static t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    t.Result.Dispose();
                }
                else
                {
                    _ = t.Exception; // observed: a read-ahead that failed matters only to a read of its block
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, bool async, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.Length == 0 || _position >= Length)
        {
            return 0;
        }

        var index = (int)(_position / _file.BlockSize);
        if (index != _blockIndex)
        {
            // A first read at the start is taken as the start of a scan (a reader after a footer or a
            // header seeks there first); a wrong guess costs the blocks read ahead, fetched in parallel.
            var sequential = _position == _lastEnd || (_lastEnd < 0 && _position == 0);
            await MoveToAsync(index, sequential, async, cancellationToken).ConfigureAwait(false);
        }

        var within = _position - (index * _file.BlockSize);
        var wanted = buffer[..(int)Math.Min(buffer.Length, _file.LengthOf(index) - within)];
        var read = async
            ? await RandomAccess.ReadAsync(_block!.SafeFileHandle, wanted, within, cancellationToken).ConfigureAwait(false)
            : RandomAccess.Read(_block!.SafeFileHandle, wanted.Span, within);
        if (read == 0)
        {
            throw new IOException($"The block {index} of '{_file.Path.LogicalPath}' ('{_block.Name}') ended early.");
        }

        _position += read;
        _lastEnd = _position;
        return read;
    }

    /// <summary>Makes block <paramref name="index"/> the current one, and sets the read-ahead going.</summary>
    private async ValueTask MoveToAsync(int index, bool sequential, bool async, CancellationToken cancellationToken)
    {
        _block?.Dispose();
        _block = null;
        _blockIndex = -1;

        // On from where the last read ended: read further ahead, 2 blocks at first, doubling at each
        // block boundary. Anything else: a random read, which costs one block.
        _window = sequential ? Math.Min(_maxAhead, Math.Max(2, _window * 2)) : 0;
        foreach (var stale in _ahead.Keys.Where(i => i < index || i > index + _window).ToList())
        {
            Release(_ahead[stale]);
            _ahead.Remove(stale);
        }

        // The read-ahead starts before this block is waited for: a scan has its whole window in flight
        // from its first block on, instead of ramping up one block time per doubling.
        for (var next = index + 1; next <= Math.Min(index + _window, _file.BlockCount - 1); next++)
        {
            if (!_ahead.ContainsKey(next))
            {
                var block = next;
                _ahead[block] = Task.Run(() => _cache.OpenAsync(_file, block, async: true, _closing.Token).AsTask(), CancellationToken.None);
            }
        }

        if (_ahead.Remove(index, out var fetching))
        {
            try
            {
                // A fetch already running on the thread pool: waiting for it blocks nothing it needs.
                _block = async ? await fetching.WaitAsync(cancellationToken).ConfigureAwait(false) : fetching.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (!fetching.IsCompleted)
            {
                Release(fetching);
                throw;
            }
        }
        else
        {
            _block = await _cache.OpenAsync(_file, index, async, cancellationToken).ConfigureAwait(false);
        }

        _blockIndex = index;
    }
}
