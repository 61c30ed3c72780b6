using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;

namespace AzFuse.Transfer;

/// <summary>
/// The MD5 of a file whose ranges are written in any order: it follows the file's written prefix
/// (every range before the first unfinished one, and as much of that one as is on disk), reads it
/// back from the page cache and hashes it in order alongside the download, so that the whole
/// file's MD5 is ready about when its last byte lands.
/// </summary>
/// <remarks>
/// <para>
/// It follows bytes, not whole ranges: the range at the front of the file is hashed while it is
/// received, so the hash trails the download by one read instead of one range. A range fetched
/// again after a failure rewrites the same bytes (every attempt asks for the same version): what
/// was hashed from the first attempt stands, and should those bytes differ, the whole file's MD5
/// does not match and the file is not kept.
/// </para>
/// <para>
/// It also tells when more ranges would help (<c>outpaced</c>): the downloader starts more only
/// while the hash is the faster side and the last ones added made the download faster (see
/// <see cref="RangedDownloader"/>).
/// </para>
/// </remarks>
internal sealed class OrderedHasher : IDisposable
{
    /// <summary>The most the hasher reads back at a time: large enough to hash at full speed, small enough to stay near the front.</summary>
    private const int ReadSize = 1 << 20;

    private readonly PartialFile _file;
    private readonly RangeLayout _layout;
    private readonly Action? _outpaced;
    private readonly long[] _written;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);

    // Guarded by _written: the first range not wholly written, whether the hasher waits for it (then
    // the next write to that range wakes it: one Release per wait, never a backlog of them), and the
    // bytes written in all.
    private int _front;
    private bool _waiting;
    private long _writtenTotal;

    /// <param name="file">The file the ranges are written to.</param>
    /// <param name="layout">Its ranges.</param>
    /// <param name="outpaced">
    /// Called (on the hasher's thread) when the hash, caught up with the bytes written, finds that
    /// they arrive slower than it hashes them, and faster than before the last call (see <see cref="Pace"/>).
    /// </param>
    public OrderedHasher(PartialFile file, RangeLayout layout, Action? outpaced = null)
    {
        _file = file;
        _layout = layout;
        _outpaced = outpaced;
        _written = new long[layout.Count];
    }

    /// <summary>Says that the first <paramref name="bytes"/> of range <paramref name="index"/> are written. Thread-safe.</summary>
    public void Written(int index, long bytes)
    {
        bool wake;
        lock (_written)
        {
            if (bytes > _written[index])
            {
                _writtenTotal += bytes - _written[index];
                _written[index] = bytes;
            }

            wake = _waiting && index == _front;
            if (wake)
            {
                _waiting = false;
            }
        }

        if (wake)
        {
            _signal.Release();
        }
    }

    /// <summary>Says that range <paramref name="index"/> is written. Thread-safe.</summary>
    public void Done(int index) => Written(index, _layout.LengthOf(index));

    /// <summary>Hashes the file in order as it is written, until all of it is; then returns its MD5.</summary>
    public async ValueTask<byte[]> RunAsync(bool async, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            long hashed = 0;
            Pace? pace = null;
            while (hashed < _layout.Length)
            {
                var (upTo, written) = WrittenPrefix(hashed);
                if (upTo == hashed)
                {
                    // Caught up: the pace is measured from the first time (before it, the hash waits
                    // for a request's first bytes, or hashes what a resumed download had on disk).
                    var now = Stopwatch.GetTimestamp();
                    if (pace is null)
                    {
                        pace = new Pace(now, hashed, written);
                    }
                    else if (pace.ShouldWiden(now, hashed, written))
                    {
                        _outpaced?.Invoke();
                    }

                    if (async)
                    {
                        await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        _signal.Wait(cancellationToken);
                    }

                    pace.Waited += Stopwatch.GetTimestamp() - now;
                    continue;
                }

                while (hashed < upTo)
                {
                    var read = await _file.ReadAsync(hashed, buffer.AsMemory(0, (int)Math.Min(buffer.Length, upTo - hashed)), async, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new IOException($"'{_file.Path}' ended at {hashed} bytes while it was being verified.");
                    }

                    _md5.AppendData(buffer, 0, read);
                    hashed += read;
                }
            }

            return _md5.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        _signal.Dispose();
        _md5.Dispose();
    }

    /// <summary>
    /// How many bytes from the file's start are written, and how many in all. When the first is no
    /// more than <paramref name="hashed"/>, the hasher is marked as waiting, so that the next write
    /// at the front wakes it.
    /// </summary>
    private (long Prefix, long Total) WrittenPrefix(long hashed)
    {
        lock (_written)
        {
            while (_front < _layout.Count && _written[_front] == _layout.LengthOf(_front))
            {
                _front++;
            }

            var prefix = _front == _layout.Count ? _layout.Length : _layout.Offset(_front) + _written[_front];
            _waiting = prefix <= hashed;
            return (prefix, _writtenTotal);
        }
    }

    /// <summary>
    /// The rates of the download (all ranges together) and of the hash (while it has bytes), over a
    /// window that starts the first time the hash catches up and again at each widening.
    /// </summary>
    private sealed class Pace(long since, long hashed, long written)
    {
        /// <summary>What more ranges must add to the download's rate to show that they help.</summary>
        private const double Gain = 1.25;

        /// <summary>
        /// How long a window is measured before it counts: long enough that a range just started
        /// has sent its first bytes (about 1 ms on loopback), short against a download worth ranges.
        /// </summary>
        private static readonly long s_sample = Stopwatch.Frequency / 100;

        private long _since = since;
        private long _hashed = hashed;
        private long _written = written;
        private double _before;

        /// <summary>Stopwatch ticks spent waiting for bytes in this window.</summary>
        public long Waited { get; set; }

        /// <summary>
        /// Whether more ranges should start: in this window the bytes arrived slower than the hash
        /// runs (so the hash is not what the file waits for), and faster than before the last
        /// widening (so more ranges did help: on a host whose CPU is what bounds the download, they
        /// only split it, and take it from the hash). When so, a new window starts.
        /// </summary>
        public bool ShouldWiden(long now, long hashedNow, long writtenNow)
        {
            var elapsed = now - _since;
            if (elapsed < s_sample)
            {
                return false;
            }

            var downloadRate = (double)(writtenNow - _written) / elapsed;
            var hashRate = (double)(hashedNow - _hashed) / Math.Max(1, elapsed - Waited);
            if (downloadRate >= hashRate || downloadRate < Gain * _before)
            {
                return false;
            }

            (_since, _hashed, _written, _before, Waited) = (now, hashedNow, writtenNow, downloadRate, 0);
            return true;
        }
    }
}
