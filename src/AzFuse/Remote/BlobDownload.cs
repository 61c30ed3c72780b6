namespace AzFuse.Remote;

/// <summary>
/// An open GET of a whole blob: its properties from the response headers, and the body to read.
/// Disposing it before the body is read to its end aborts the transfer (the connection is closed).
/// </summary>
internal sealed class BlobDownload : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly IdleTimeout _idle;

    public BlobDownload(BlobProperties properties, HttpResponseMessage response, Stream content, IdleTimeout idle)
    {
        Properties = properties;
        Content = content;
        _response = response;
        _idle = idle;
    }

    public BlobProperties Properties { get; }

    /// <summary>The body. Read it with <see cref="Token"/> and call <see cref="Progress"/> after each read.</summary>
    public Stream Content { get; }

    /// <summary>Cancelled by the caller, or when the body stops moving for the idle timeout.</summary>
    public CancellationToken Token => _idle.Token;

    /// <summary>Whether reading stopped because the body did not move for the idle timeout.</summary>
    public bool HasStalled => _idle.HasExpired;

    public TimeSpan IdleTimeout => _idle.Timeout;

    public void Progress() => _idle.Touch();

    public void Dispose()
    {
        Content.Dispose();
        _response.Dispose();
        _idle.Dispose();
    }
}
