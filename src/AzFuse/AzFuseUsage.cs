namespace AzFuse;

/// <summary>
/// What a client asked of Blob Storage since it started (<see cref="AzFuseClient.GetUsage"/>), to
/// estimate what a run cost: transactions by the storage price list's classes, and bytes each way
/// (downloaded bytes are egress when the job runs outside the storage account's region).
/// </summary>
/// <remarks>
/// Requests are those the library sends itself (through the Azure SDK); the requests azcopy sends
/// for its transfers are not visible to this process, but the bytes it moved are counted, so a
/// batch moved by azcopy shows in the bytes and not in the request counts.
/// </remarks>
public sealed class AzFuseUsage
{
    /// <summary>When counting started: when the client first needed its storage connections.</summary>
    public DateTimeOffset Since { get; init; }

    /// <summary>Read transactions: GETs of blob content.</summary>
    public long ReadRequests { get; init; }

    /// <summary>Write transactions: Put Blob, Put Block, Put Block List, Set Blob Properties.</summary>
    public long WriteRequests { get; init; }

    /// <summary>List (and create container) transactions: each page of a listing counts once.</summary>
    public long ListRequests { get; init; }

    /// <summary>Other transactions: HEADs (Get Blob Properties), deletes, user-delegation keys.</summary>
    public long OtherRequests { get; init; }

    /// <summary>All requests: the sum of the four kinds.</summary>
    public long TotalRequests => ReadRequests + WriteRequests + ListRequests + OtherRequests;

    /// <summary>Bytes received: response bodies of the library's requests, and what azcopy downloaded.</summary>
    public long BytesDownloaded { get; init; }

    /// <summary>Bytes sent: request bodies of the library's requests, and what azcopy uploaded.</summary>
    public long BytesUploaded { get; init; }

    /// <summary>The part of <see cref="BytesDownloaded"/> that azcopy moved.</summary>
    public long AzCopyBytesDownloaded { get; init; }

    /// <summary>The part of <see cref="BytesUploaded"/> that azcopy moved.</summary>
    public long AzCopyBytesUploaded { get; init; }
}
