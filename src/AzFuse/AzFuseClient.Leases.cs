using AzFuse.Diagnostics;
using AzFuse.Remote;

namespace AzFuse;

/// <content>Blob leases: a lock across machines.</content>
public sealed partial class AzFuseClient
{
    private static readonly TimeSpan s_defaultLeaseDuration = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Acquires a lease on a file's blob, a lock that holds across machines: while it is held no one
    /// else can acquire it, write the blob or delete it (this client's own writes of the blob
    /// included). While someone else holds it, waits (polling) up to <paramref name="timeout"/>.
    /// The blob must exist. See <see cref="AzFuseLease"/> for renewal and loss.
    /// </summary>
    /// <param name="path">A logical path under a mapping.</param>
    /// <param name="duration">How long the lease lasts between renewals: 15 to 60 seconds (default 60), renewed in the background; or <see cref="Timeout.InfiniteTimeSpan"/>, which lasts until released or broken.</param>
    /// <param name="timeout">How long to wait while someone else holds the lease; default <see cref="AzFuseOptions.LockTimeout"/>; <see cref="TimeSpan.Zero"/> tries once.</param>
    /// <returns>The lease; dispose it to release.</returns>
    /// <exception cref="FileNotFoundException">The blob does not exist.</exception>
    /// <exception cref="AzFuseException">Someone else held the lease all along <paramref name="timeout"/>.</exception>
    /// <exception cref="ArgumentException">The path is outside every mapping, or AzFuse is disabled.</exception>
    public AzFuseLease AcquireLease(string path, TimeSpan? duration = null, TimeSpan? timeout = null) =>
        AcquireLeaseCoreAsync(path, duration, timeout, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="AcquireLease"/>
    /// <param name="path">A logical path under a mapping.</param>
    /// <param name="duration">15 to 60 seconds (default 60), renewed in the background; or infinite.</param>
    /// <param name="timeout">How long to wait while someone else holds the lease.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<AzFuseLease> AcquireLeaseAsync(string path, TimeSpan? duration = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        AcquireLeaseCoreAsync(path, duration, timeout, async: true, cancellationToken).AsTask();

    /// <summary>
    /// Breaks the lease on a file's blob at once, whoever holds it (the Python tool's <c>break</c>):
    /// for a lock whose holder died with an infinite lease. The holder finds its lease lost.
    /// Nothing happens when the blob is not leased.
    /// </summary>
    /// <param name="path">A logical path under a mapping.</param>
    /// <exception cref="FileNotFoundException">The blob does not exist.</exception>
    public void BreakLease(string path) => BreakLeaseCoreAsync(path, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="BreakLease"/>
    /// <param name="path">A logical path under a mapping.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task BreakLeaseAsync(string path, CancellationToken cancellationToken = default) =>
        BreakLeaseCoreAsync(path, async: true, cancellationToken).AsTask();

    private async ValueTask<AzFuseLease> AcquireLeaseCoreAsync(string path, TimeSpan? duration, TimeSpan? timeout, bool async, CancellationToken cancellationToken)
    {
        var resolved = RemoteOnly(path);
        var engine = _engine.Value;
        return await new Leasing(engine.Blobs, engine.Time, _logger)
            .AcquireAsync(resolved, duration ?? s_defaultLeaseDuration, timeout ?? _options.LockTimeout, async, cancellationToken)
            .ConfigureAwait(false);
    }

    private async ValueTask BreakLeaseCoreAsync(string path, bool async, CancellationToken cancellationToken)
    {
        var resolved = RemoteOnly(path);
        if (!await _engine.Value.Blobs.BreakLeaseAsync(resolved.Blob, async, cancellationToken).ConfigureAwait(false))
        {
            throw Errors.BlobNotFound(path, resolved.Blob);
        }
    }
}
