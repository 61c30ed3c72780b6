using System.Buffers;
using System.Security.Cryptography;

namespace AzFuse.Transfer;

/// <summary>
/// The MD5 of a file whose ranges are written in any order: as the ranges at its start complete,
/// it reads them back (from the page cache) and hashes them in order, alongside the download, so
/// that the whole file's MD5 is ready about when its last range lands.
/// </summary>
internal sealed class OrderedHasher : IDisposable
{
    private readonly PartialFile _file;
    private readonly RangeLayout _layout;
    private readonly bool[] _done;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);

    public OrderedHasher(PartialFile file, RangeLayout layout)
    {
        _file = file;
        _layout = layout;
        _done = new bool[layout.Count];
    }

    /// <summary>Says that range <paramref name="index"/> is written. Thread-safe.</summary>
    public void Done(int index)
    {
        lock (_done)
        {
            _done[index] = true;
        }

        _signal.Release();
    }

    /// <summary>Hashes the file in order as its ranges are done, until all are; then returns its MD5.</summary>
    public async ValueTask<byte[]> RunAsync(bool async, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var next = 0;
            long hashed = 0;
            while (next < _layout.Count)
            {
                var end = next;
                lock (_done)
                {
                    while (end < _layout.Count && _done[end])
                    {
                        end++;
                    }
                }

                if (end == next)
                {
                    if (async)
                    {
                        await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        _signal.Wait(cancellationToken);
                    }

                    continue;
                }

                var upTo = _layout.Offset(end - 1) + _layout.LengthOf(end - 1);
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

                next = end;
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
}
