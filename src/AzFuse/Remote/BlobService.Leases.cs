using Azure;
using Azure.Storage.Blobs.Specialized;

namespace AzFuse.Remote;

/// <content>Blob leases (Lease Blob: acquire, renew, release, break), the service's lock on a blob.</content>
internal sealed partial class BlobService
{
    /// <summary>
    /// Acquires a lease on the blob for <paramref name="duration"/> (-1 s: infinite): its id, or
    /// <see langword="null"/> when someone else holds one now. <c>Exists</c> is false when there is no blob.
    /// </summary>
    public ValueTask<(string? LeaseId, bool Exists)> TryAcquireLeaseAsync(BlobLocation blob, TimeSpan duration, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                // A fresh id each time: a retried request whose first try did succeed then fails
                // with "already present" rather than handing out a lease this call does not know.
                var lease = _clients.Blob(blob).GetBlobLeaseClient(Guid.NewGuid().ToString());
                try
                {
                    var acquired = isAsync ? await lease.AcquireAsync(duration, cancellationToken: ct).ConfigureAwait(false) : lease.Acquire(duration, cancellationToken: ct);
                    return ((string?)acquired.Value.LeaseId, true);
                }
                catch (RequestFailedException ex) when (ex.Status == 409 && ex.ErrorCode == "LeaseAlreadyPresent")
                {
                    return (null, true);
                }
                catch (RequestFailedException ex) when (StorageFailures.IsBlobNotFound(ex))
                {
                    return (null, false);
                }
            },
            async,
            cancellationToken);

    /// <summary>Renews a held lease for its full duration again; throws when it is no longer this lease (lost).</summary>
    public ValueTask RenewLeaseAsync(BlobLocation blob, string leaseId, bool async, CancellationToken cancellationToken) =>
        LeaseOperationAsync(blob, leaseId, (lease, isAsync, ct) => isAsync ? Ignore(lease.RenewAsync(cancellationToken: ct)) : Ignore(lease.Renew(cancellationToken: ct)), async, cancellationToken);

    /// <summary>Releases a held lease: others may acquire it at once.</summary>
    public ValueTask ReleaseLeaseAsync(BlobLocation blob, string leaseId, bool async, CancellationToken cancellationToken) =>
        LeaseOperationAsync(blob, leaseId, (lease, isAsync, ct) => isAsync ? Ignore(lease.ReleaseAsync(cancellationToken: ct)) : Ignore(lease.Release(cancellationToken: ct)), async, cancellationToken);

    /// <summary>Breaks whatever lease the blob has, at once; <see langword="false"/> when there is no blob.</summary>
    public ValueTask<bool> BreakLeaseAsync(BlobLocation blob, bool async, CancellationToken cancellationToken) =>
        RunAsync(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                var lease = _clients.Blob(blob).GetBlobLeaseClient();
                try
                {
                    _ = isAsync ? await lease.BreakAsync(TimeSpan.Zero, cancellationToken: ct).ConfigureAwait(false) : lease.Break(TimeSpan.Zero, cancellationToken: ct);
                }
                catch (RequestFailedException ex) when (ex.Status == 409 && ex.ErrorCode == "LeaseNotPresentWithLeaseOperation")
                {
                    // Not leased: nothing to break.
                }
                catch (RequestFailedException ex) when (StorageFailures.IsBlobNotFound(ex))
                {
                    return false;
                }

                return true;
            },
            async,
            cancellationToken);

    private ValueTask LeaseOperationAsync(BlobLocation blob, string leaseId, Func<BlobLeaseClient, bool, CancellationToken, ValueTask> operation, bool async, CancellationToken cancellationToken) =>
        new(RunAsync(
            blob.Account,
            blob.DisplayName,
            async (isAsync, ct) =>
            {
                await operation(_clients.Blob(blob).GetBlobLeaseClient(leaseId), isAsync, ct).ConfigureAwait(false);
                return true;
            },
            async,
            cancellationToken).AsTask());

    private static async ValueTask Ignore<T>(Task<T> task) => await task.ConfigureAwait(false);

    private static ValueTask Ignore<T>(T _) => ValueTask.CompletedTask;
}
