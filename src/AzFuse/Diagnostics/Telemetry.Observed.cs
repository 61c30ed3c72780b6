using System.Diagnostics.Metrics;

namespace AzFuse.Diagnostics;

/// <summary>What an observable instrument asks each live client when it is collected.</summary>
internal interface IObservedClient
{
    /// <summary>Blobs with written content not uploaded yet, and its bytes.</summary>
    (long Files, long Bytes) PendingUploads { get; }

    /// <summary>The bytes each size-bounded cache folder holds, from its size ledger (no walk).</summary>
    IEnumerable<(string CacheFolder, long Bytes)> CacheSizes { get; }
}

/// <content>The observable instruments: read when a listener collects, from every live client.</content>
internal static partial class Telemetry
{
    private static readonly object s_clientsGate = new();
    private static readonly List<WeakReference<IObservedClient>> s_clients = [];

    /// <summary>Makes a client's state observable for as long as the client lives (held weakly).</summary>
    public static void Track(IObservedClient client)
    {
        Observed.Create();
        lock (s_clientsGate)
        {
            s_clients.RemoveAll(w => !w.TryGetTarget(out _));
            s_clients.Add(new WeakReference<IObservedClient>(client));
        }
    }

    private static List<IObservedClient> LiveClients()
    {
        lock (s_clientsGate)
        {
            return s_clients.Select(w => w.TryGetTarget(out var c) ? c : null).OfType<IObservedClient>().ToList();
        }
    }

    private static long Observe(Func<IObservedClient, long> value) => LiveClients().Sum(value);

    private static IEnumerable<Measurement<long>> ObserveCacheSizes() =>
        LiveClients()
            .SelectMany(c => c.CacheSizes)
            .DistinctBy(s => s.CacheFolder, StringComparer.Ordinal) // clients sharing a folder read one ledger
            .Select(s => new Measurement<long>(s.Bytes, new KeyValuePair<string, object?>(CacheFolderTag, s.CacheFolder)))
            .ToList();

    /// <summary>
    /// The observable instruments, in a class of their own: static fields of a partial class across
    /// files initialise in no defined order, and these need <see cref="Meter"/> first.
    /// </summary>
    private static class Observed
    {
        private static readonly ObservableUpDownCounter<long> s_pendingFiles = Meter.CreateObservableUpDownCounter(
            "azfuse.uploads.pending", () => Observe(c => c.PendingUploads.Files), "{file}", "Files written and not uploaded yet (queued, under way, or failed and kept for a resume)");

        private static readonly ObservableUpDownCounter<long> s_pendingBytes = Meter.CreateObservableUpDownCounter(
            "azfuse.uploads.pending.size", () => Observe(c => c.PendingUploads.Bytes), "By", "The bytes of those files");

        private static readonly ObservableUpDownCounter<long> s_cacheSize = Meter.CreateObservableUpDownCounter(
            "azfuse.cache.size", ObserveCacheSizes, "By", "The bytes a size-bounded cache folder holds (all processes), from its size ledger; tagged azfuse.cache.folder");

        /// <summary>Runs the initialisers above (once: reading a field is what runs them); the meter keeps the instruments from then on.</summary>
        public static void Create()
        {
            GC.KeepAlive(s_pendingFiles);
            GC.KeepAlive(s_pendingBytes);
            GC.KeepAlive(s_cacheSize);
        }
    }
}
