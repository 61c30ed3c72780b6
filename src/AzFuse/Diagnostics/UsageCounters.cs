namespace AzFuse.Diagnostics;

/// <summary>
/// One client's storage usage since it started (<see cref="AzFuseClient.GetUsage"/>): the SDK's
/// requests by billing kind and their body bytes, counted by <see cref="UsagePolicy"/>, plus the
/// bytes azcopy moved (its own requests are not visible to this process).
/// </summary>
internal sealed class UsageCounters
{
    private readonly long[] _requests = new long[4];
    private readonly DateTimeOffset _since;
    private long _received;
    private long _sent;
    private long _azCopyDownloaded;
    private long _azCopyUploaded;

    public UsageCounters(TimeProvider time) => _since = time.GetUtcNow();

    public void Request(RequestKind kind, long sent, long received)
    {
        Interlocked.Increment(ref _requests[(int)kind]);
        Interlocked.Add(ref _sent, sent);
        Interlocked.Add(ref _received, received);
        Telemetry.Request(kind, sent, received);
    }

    /// <summary>Bytes of a response body read after the request was counted (a streamed download).</summary>
    public void Received(long bytes)
    {
        Interlocked.Add(ref _received, bytes);
        Telemetry.Received(bytes);
    }

    public void AzCopyTransferred(bool upload, long bytes) => Interlocked.Add(ref upload ? ref _azCopyUploaded : ref _azCopyDownloaded, bytes);

    public AzFuseUsage Snapshot() => new()
    {
        Since = _since,
        ReadRequests = Interlocked.Read(ref _requests[(int)RequestKind.Read]),
        WriteRequests = Interlocked.Read(ref _requests[(int)RequestKind.Write]),
        ListRequests = Interlocked.Read(ref _requests[(int)RequestKind.List]),
        OtherRequests = Interlocked.Read(ref _requests[(int)RequestKind.Other]),
        BytesDownloaded = Interlocked.Read(ref _received) + Interlocked.Read(ref _azCopyDownloaded),
        BytesUploaded = Interlocked.Read(ref _sent) + Interlocked.Read(ref _azCopyUploaded),
        AzCopyBytesDownloaded = Interlocked.Read(ref _azCopyDownloaded),
        AzCopyBytesUploaded = Interlocked.Read(ref _azCopyUploaded),
    };
}
