namespace AzFuse;

/// <summary>
/// The live counters of one AzFuse client in a running process on this machine, as it last
/// published them (<see cref="AzFuseClient.GetLiveStats"/>, <c>azfuse stats</c>).
/// </summary>
public sealed class ProcessStats
{
    /// <summary>The process's id.</summary>
    public int ProcessId { get; init; }

    /// <summary>The process's name.</summary>
    public string ProcessName { get; init; } = string.Empty;

    /// <summary>When the process last wrote these numbers (every 2 seconds while they change).</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Opens for reading served by a cached copy.</summary>
    public long Hits { get; init; }

    /// <summary>Opens for reading that downloaded the file first.</summary>
    public long Misses { get; init; }

    /// <summary>Files the client removed to keep a cache folder under its limit.</summary>
    public long Evictions { get; init; }

    /// <summary>Files written and not uploaded yet.</summary>
    public long PendingUploads { get; init; }

    /// <summary>Their bytes.</summary>
    public long PendingUploadBytes { get; init; }

    /// <summary>The client's requests and bytes since it started.</summary>
    public AzFuseUsage Usage { get; init; } = new();
}
