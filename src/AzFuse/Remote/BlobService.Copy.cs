using Azure;
using Azure.Storage.Blobs.Models;

namespace AzFuse.Remote;

/// <content>Service-side copy (Copy Blob): the service moves the bytes, never this machine.</content>
internal sealed partial class BlobService
{
    private static readonly TimeSpan s_maxCopyPoll = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Copies the blob at <paramref name="authorizedSource"/> (its URL with a read SAS, from any
    /// account) over <paramref name="destination"/>, and waits until the service has finished;
    /// properties (Content-MD5, Content-Type) and metadata come with it.
    /// </summary>
    /// <returns>The destination's properties after the copy, or <see langword="null"/> when the source does not exist.</returns>
    /// <exception cref="AzFuseException">The copy failed or was aborted.</exception>
    public async ValueTask<Azure.Storage.Blobs.Models.BlobProperties?> CopyAsync(BlobLocation source, Uri authorizedSource, BlobLocation destination, bool async, CancellationToken cancellationToken)
    {
        var started = await RunAsync(
            destination.Account,
            destination.DisplayName,
            async (isAsync, ct) =>
            {
                var client = _clients.Blob(destination);
                try
                {
                    var operation = isAsync ? await client.StartCopyFromUriAsync(authorizedSource, cancellationToken: ct).ConfigureAwait(false) : client.StartCopyFromUri(authorizedSource, cancellationToken: ct);
                    return operation is not null;
                }
                catch (RequestFailedException ex) when (ex.ErrorCode is "CannotVerifyCopySource" or "BlobNotFound" && ex.Status == 404)
                {
                    return false;
                }
            },
            async,
            cancellationToken).ConfigureAwait(false);
        if (!started)
        {
            return null;
        }

        // A copy within one account is usually done when it starts; across accounts the service
        // copies in the background: poll, from 100 ms up to every 2 s.
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var properties = await RunAsync(
                destination.Account,
                destination.DisplayName,
                async (isAsync, ct) => (isAsync ? await _clients.Blob(destination).GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false) : _clients.Blob(destination).GetProperties(cancellationToken: ct)).Value,
                async,
                cancellationToken).ConfigureAwait(false);
            // No copy id: the service reports no copy in progress (some emulators copy at once and say nothing).
            switch (properties.CopyId is null ? CopyStatus.Success : properties.CopyStatus)
            {
                case CopyStatus.Success:
                    return properties;
                case CopyStatus.Pending:
                    break;
                default:
                    throw Diagnostics.Errors.CopyFailed(source, destination, properties.CopyStatus.ToString()!.ToLowerInvariant(), properties.CopyStatusDescription);
            }

            if (async)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                cancellationToken.WaitHandle.WaitOne(delay);
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, s_maxCopyPoll.Ticks));
        }
    }
}
