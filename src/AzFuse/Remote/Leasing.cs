using AzFuse.Diagnostics;
using AzFuse.Paths;
using Microsoft.Extensions.Logging;

namespace AzFuse.Remote;

/// <summary>
/// Leases as a lock across machines: acquiring waits (polling) while someone else holds the lease,
/// and a held finite lease is renewed in the background a third of its duration before it would
/// expire, so that it survives a renewal that must be retried.
/// </summary>
internal sealed class Leasing
{
    private static readonly TimeSpan s_maxPoll = TimeSpan.FromSeconds(2);

    private readonly BlobService _blobs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public Leasing(BlobService blobs, TimeProvider time, ILogger logger)
    {
        _blobs = blobs;
        _time = time;
        _logger = logger;
    }

    /// <exception cref="FileNotFoundException">The blob does not exist (a lease needs one).</exception>
    /// <exception cref="AzFuseException">Someone else held the lease for all of <paramref name="timeout"/>.</exception>
    public async ValueTask<AzFuseLease> AcquireAsync(ResolvedPath path, TimeSpan duration, TimeSpan timeout, bool async, CancellationToken cancellationToken)
    {
        if (duration != Timeout.InfiniteTimeSpan && (duration < TimeSpan.FromSeconds(15) || duration > TimeSpan.FromSeconds(60)))
        {
            throw Errors.LeaseDurationInvalid(duration);
        }

        var started = _time.GetTimestamp();
        var interval = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var (leaseId, exists) = await _blobs.TryAcquireLeaseAsync(path.Blob, duration, async, cancellationToken).ConfigureAwait(false);
            if (!exists)
            {
                throw Errors.BlobNotFound(path.LogicalPath, path.Blob);
            }

            if (leaseId is not null)
            {
                Log.LeaseAcquired(_logger, path.LogicalPath, duration);
                var blob = path.Blob;
                return new AzFuseLease(
                    path.LogicalPath,
                    leaseId,
                    duration,
                    isAsync => _blobs.ReleaseLeaseAsync(blob, leaseId, isAsync, CancellationToken.None),
                    lease => duration == Timeout.InfiniteTimeSpan ? null : StartRenewal(lease, blob, duration / 3));
            }

            if (timeout != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(started) >= timeout)
            {
                throw Errors.LeaseHeld(path.LogicalPath, timeout);
            }

            if (async)
            {
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                cancellationToken.WaitHandle.WaitOne(interval);
                cancellationToken.ThrowIfCancellationRequested();
            }

            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, s_maxPoll.Ticks));
        }
    }

    private ITimer StartRenewal(AzFuseLease lease, BlobLocation blob, TimeSpan period)
    {
        var renewing = 0;
        return _time.CreateTimer(
            _ =>
            {
                // One renewal at a time: a slow one (retried through an outage) is not stacked upon.
                if (Interlocked.Exchange(ref renewing, 1) == 1)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    try
                    {
                        await _blobs.RenewLeaseAsync(blob, lease.LeaseId, async: true, lease.Lost).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (!lease.Lost.IsCancellationRequested)
                    {
                        // Retried as long as the policy allows already: the lease may be taken by now.
                        Log.LeaseLost(_logger, lease.Path, ex.Message);
                        lease.MarkLost(ex);
                    }
                    catch (OperationCanceledException)
                    {
                        // Lost or released meanwhile.
                    }
                    finally
                    {
                        Volatile.Write(ref renewing, 0);
                    }
                });
            },
            state: null,
            period,
            period);
    }
}
