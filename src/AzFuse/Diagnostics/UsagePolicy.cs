using Azure.Core;
using Azure.Core.Pipeline;

namespace AzFuse.Diagnostics;

/// <summary>
/// Counts every request the Azure SDK sends for a client, by how Blob Storage bills it, and the
/// bytes of its bodies: added per retry to the clients' pipeline, so each attempt on the wire
/// counts once (the SDK's own retries are off; see <c>RetryPolicy</c>).
/// </summary>
/// <remarks>
/// Kinds follow the storage price list's transaction classes: a GET of a blob is a read; PUT (Put
/// Blob, Put Block, Put Block List, Set Properties) a write; a GET with <c>comp=list</c> and the
/// creation of a container a list; everything else (HEAD, DELETE, the user-delegation key) other.
/// A response body that is streamed (a download) is counted as it is read, so a GET closed early
/// (a large file handed to azcopy) counts only what arrived.
/// </remarks>
internal sealed class UsagePolicy(UsageCounters usage) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try
        {
            ProcessNext(message, pipeline);
        }
        finally
        {
            Count(message);
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        finally
        {
            Count(message);
        }
    }

    internal static RequestKind KindOf(RequestMethod method, Uri uri)
    {
        var query = uri.Query;
        if (method == RequestMethod.Get)
        {
            return query.Contains("comp=list", StringComparison.Ordinal) ? RequestKind.List
                : query.Contains("restype=", StringComparison.Ordinal) || query.Contains("comp=", StringComparison.Ordinal) ? RequestKind.Other
                : RequestKind.Read;
        }

        if (method == RequestMethod.Put)
        {
            return query.Contains("restype=container", StringComparison.Ordinal) && !query.Contains("comp=", StringComparison.Ordinal) ? RequestKind.List : RequestKind.Write;
        }

        return RequestKind.Other;
    }

    private void Count(HttpMessage message)
    {
        var sent = message.Request.Content is { } content && content.TryComputeLength(out var length) ? length : 0;
        long received = 0;
        if (message.HasResponse && message.Response.ContentStream is { } body)
        {
            if (body is MemoryStream buffered)
            {
                received = buffered.Length; // the SDK read it whole already (and needs it to stay a MemoryStream)
            }
            else
            {
                message.Response.ContentStream = new CountingStream(body, usage);
            }
        }

        usage.Request(KindOf(message.Request.Method, message.Request.Uri.ToUri()), sent, received);
    }

    /// <summary>A response body that counts what is read from it.</summary>
    private sealed class CountingStream(Stream inner, UsageCounters usage) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        private int Counted(int read)
        {
            if (read > 0)
            {
                usage.Received(read);
            }

            return read;
        }
    }
}
