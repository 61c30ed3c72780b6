namespace AzFuse.Remote;

/// <summary>
/// A request body read from a seekable stream from a fixed start, as often as the request is sent
/// (each retry rewinds it), without disposing the stream (the caller owns it) and without
/// buffering it in memory. Reports progress after every chunk, for the idle timeout.
/// </summary>
internal sealed class SeekableContent : HttpContent
{
    private const int ChunkSize = 1 << 20;

    private readonly Stream _source;
    private readonly long _start;
    private readonly long _length;
    private readonly Action _progress;

    public SeekableContent(Stream source, long start, long length, Action progress)
    {
        _source = source;
        _start = start;
        _length = length;
        _progress = progress;
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        _source.Position = _start;
        var buffer = new byte[(int)Math.Min(ChunkSize, Math.Max(_length, 1))];
        long left = _length;
        while (left > 0)
        {
            var read = await _source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("The file became shorter while it was being uploaded.");
            }

            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            left -= read;
            _progress();
        }
    }

    protected override void SerializeToStream(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        _source.Position = _start;
        var buffer = new byte[(int)Math.Min(ChunkSize, Math.Max(_length, 1))];
        long left = _length;
        while (left > 0)
        {
            var read = _source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
            {
                throw new IOException("The file became shorter while it was being uploaded.");
            }

            stream.Write(buffer, 0, read);
            left -= read;
            _progress();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
