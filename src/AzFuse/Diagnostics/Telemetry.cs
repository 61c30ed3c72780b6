using System.Diagnostics;
using System.Diagnostics.Metrics;
using AzFuse.Transfer;

namespace AzFuse.Diagnostics;

/// <summary>
/// The library's metrics (<see cref="Meter"/> "AzFuse") and traces (<see cref="ActivitySource"/>
/// "AzFuse"), named in the OpenTelemetry semantic-convention style; the README's Observability
/// section lists them. One static meter for the process, as the runtime's own meters are: tools
/// such as dotnet-counters and OpenTelemetry subscribe by name, and one series per instrument
/// sums every client of the process.
/// </summary>
/// <remarks>
/// Each recording first asks <see cref="Instrument.Enabled"/>: with nobody listening an
/// instrument costs one field read, and the cache-hit path records nothing else. Tags are
/// <see cref="KeyValuePair{TKey, TValue}"/>s of interned strings, so a recording allocates nothing.
/// No tag ever holds a URL, a SAS, a key or a token: paths are logical paths.
/// </remarks>
internal static partial class Telemetry
{
    public const string Name = "AzFuse";

    public const string DirectionTag = "azfuse.transfer.direction";
    public const string RouteTag = "azfuse.transfer.route";
    public const string RequestKindTag = "azfuse.request.kind";
    public const string IoDirectionTag = "network.io.direction";
    public const string CacheFolderTag = "azfuse.cache.folder";

    private static readonly string? s_version = typeof(Telemetry).Assembly.GetName().Version?.ToString();

    public static readonly Meter Meter = new(Name, s_version);

    public static readonly ActivitySource Source = new(Name, s_version);

    private static readonly Counter<long> s_hits = Meter.CreateCounter<long>("azfuse.cache.hits", "{open}", "Opens for reading served by a cached copy");
    private static readonly Counter<long> s_misses = Meter.CreateCounter<long>("azfuse.cache.misses", "{open}", "Opens for reading that downloaded the file first");
    private static readonly Counter<long> s_evictions = Meter.CreateCounter<long>("azfuse.cache.evictions", "{file}", "Files removed to keep a cache folder under its max_cache_size");
    private static readonly Histogram<double> s_missDuration = CreateSeconds("azfuse.cache.miss.duration", "How long an Open that downloaded took, from the call to the open file");
    private static readonly Counter<long> s_transferBytes = Meter.CreateCounter<long>("azfuse.transfer.bytes", "By", "File content moved, by direction (download, upload) and route (http, azcopy_pipe, azcopy_job)");
    private static readonly Histogram<double> s_transferDuration = CreateSeconds("azfuse.transfer.duration", "How long one file's transfer took, retries included (an azcopy job: one value for the whole job)");
    private static readonly Counter<long> s_transferFailures = Meter.CreateCounter<long>("azfuse.transfer.failures", "{file}", "Files whose transfer failed for good (after its retries), by direction");
    private static readonly Counter<long> s_retries = Meter.CreateCounter<long>("azfuse.transfer.retries", "{retry}", "Attempts of a transfer or request that failed for a reason that may pass and were tried again");
    private static readonly Counter<long> s_requests = Meter.CreateCounter<long>("azfuse.storage.requests", "{request}", "Requests sent to Blob Storage through the Azure SDK, by billing kind (read, write, list, other)");
    private static readonly Counter<long> s_storageBytes = Meter.CreateCounter<long>("azfuse.storage.io", "By", "Bytes of request and response bodies of those requests, by network.io.direction (receive, transmit)");

    private static readonly KeyValuePair<string, object?> s_download = new(DirectionTag, "download");
    private static readonly KeyValuePair<string, object?> s_upload = new(DirectionTag, "upload");
    private static readonly KeyValuePair<string, object?> s_receive = new(IoDirectionTag, "receive");
    private static readonly KeyValuePair<string, object?> s_transmit = new(IoDirectionTag, "transmit");
    private static readonly KeyValuePair<string, object?>[] s_routes =
        [new(RouteTag, RouteName(TransferRoute.Http)), new(RouteTag, RouteName(TransferRoute.Pipe)), new(RouteTag, RouteName(TransferRoute.Job))];

    private static readonly KeyValuePair<string, object?>[] s_kinds =
        [new(RequestKindTag, "read"), new(RequestKindTag, "write"), new(RequestKindTag, "list"), new(RequestKindTag, "other")];

    public static string RouteName(TransferRoute route) => route switch
    {
        TransferRoute.Http => "http",
        TransferRoute.Pipe => "azcopy_pipe",
        _ => "azcopy_job",
    };

    public static void CacheHit()
    {
        if (s_hits.Enabled)
        {
            s_hits.Add(1);
        }
    }

    public static void CacheMiss(TimeSpan elapsed)
    {
        s_misses.Add(1);
        s_missDuration.Record(elapsed.TotalSeconds);
    }

    public static void Evicted() => s_evictions.Add(1);

    /// <summary>
    /// Counts a file (or an azcopy job's files) that arrived or was confirmed: the metrics, the
    /// client's usage (azcopy's bytes only: the SDK's are counted as they cross its pipeline), and
    /// the bytes and route of the AzFuse activity under way.
    /// </summary>
    public static void Transferred(UsageCounters usage, bool upload, TransferRoute route, long bytes, TimeSpan elapsed)
    {
        if (route != TransferRoute.Http)
        {
            usage.AzCopyTransferred(upload, bytes);
        }

        var direction = upload ? s_upload : s_download;
        s_transferBytes.Add(bytes, direction, s_routes[(int)route]);
        s_transferDuration.Record(elapsed.TotalSeconds, direction, s_routes[(int)route]);
        AddToActivity(bytes, route);
    }

    /// <summary>Counts files whose transfer failed for good; false, so that it can sit in an exception filter.</summary>
    public static bool Failed(bool upload, Exception exception, int files = 1)
    {
        if (exception is not OperationCanceledException)
        {
            Failed(upload, files);
        }

        return false;
    }

    /// <summary>Counts files whose transfer failed for good.</summary>
    public static void Failed(bool upload, int files)
    {
        if (files > 0)
        {
            s_transferFailures.Add(files, upload ? s_upload : s_download);
        }
    }

    public static void Retried() => s_retries.Add(1);

    public static void Request(RequestKind kind, long sent, long received)
    {
        s_requests.Add(1, s_kinds[(int)kind]);
        if (sent > 0)
        {
            s_storageBytes.Add(sent, s_transmit);
        }

        if (received > 0)
        {
            s_storageBytes.Add(received, s_receive);
        }
    }

    public static void Received(long bytes) => s_storageBytes.Add(bytes, s_receive);

    private static Histogram<double> CreateSeconds(string name, string description) =>
#if NET9_0_OR_GREATER
        // Seconds, so OpenTelemetry's default buckets (0 to 10,000, meant for milliseconds) would put
        // every value in the first two: these go from a 3 ms HTTP GET to a job of minutes.
        Meter.CreateHistogram(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
#else
        Meter.CreateHistogram<double>(name, "s", description);
#endif
}

/// <summary>How Blob Storage bills a request (its transaction classes).</summary>
internal enum RequestKind
{
    Read,
    Write,
    List,
    Other,
}
