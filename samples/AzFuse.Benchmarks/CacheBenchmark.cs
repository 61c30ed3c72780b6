using System.Diagnostics.Metrics;

namespace AzFuse.Benchmarks;

/// <summary>
/// What the cache policy costs: cache hits under each policy against hits under the default
/// (no check, no limit), and misses into a full, size-bounded cache (which evicts) against misses
/// into an unbounded one.
/// </summary>
internal static class CacheBenchmark
{
    private const int Small = 4 << 10;
    private const int Hits = 1000;
    private const int Misses = 200;

    public static async Task RunAsync(Workbench bench)
    {
        Console.WriteLine($"Seeding the cache benchmark's blobs ({Hits} + {Misses} of 4 KB)...");
        await bench.SeedManyAsync("cache/hits", Hits, Small);
        await bench.SeedManyAsync("cache/misses", Misses, Small);

        var hits = Enumerable.Range(0, Hits).Select(i => Workbench.Logical($"cache/hits/{i}.bin")).ToList();
        var plain = bench.NewClient(o => { });
        var bounded = bench.NewClient(o => o.MaxCacheSize = 10_000_000_000);
        var revalidating = bench.NewClient(o => o.RevalidateAfter = TimeSpan.FromHours(1));
        var checking = bench.NewClient(o => o.RevalidateAfter = TimeSpan.Zero);

        // Filled by the revalidating client, so every file has the record it reads.
        revalidating.Prepare(hits);
        var cacheFiles = Enumerable.Range(0, Hits).Select(i => bench.Sandbox.CachePathOf($"cache/hits/{i}.bin")).ToList();
        var timings = bench.Measurement.Compare($"{Hits} cache hits (Open + read 4 KB) under each policy",
        [
            new("default: no check, no limit", () => ReadAll(plain, hits), Route: "no request"),
            new("bare FileStream on the cache files (the floor)", () => ReadFiles(cacheFiles), Route: "no AzFuse"),
            new("max_cache_size (marks each Open)", () => ReadAll(bounded, hits), Route: "no request"),
            new("revalidate_after: 1h (reads the record)", () => ReadAll(revalidating, hits), Route: "no request"),
            new("revalidate_after: 0 (HEAD per Open)", () => ReadAll(checking, hits), Route: "one HEAD per file"),
        ]);
        Measurement.Print($"7. {Hits} cache hits of 4 KB files: median of {bench.Measurement.Repeat} runs", timings);
        Table.PrintRatio("default / bare FileStream", timings[0].Median, timings[1].Median);
        Table.PrintRatio("max_cache_size / default", timings[2].Median, timings[0].Median);
        Table.PrintRatio("revalidate_after 1h / default", timings[3].Median, timings[0].Median);
        Table.PrintRatio("revalidate_after 0 / default", timings[4].Median, timings[0].Median);

        // The cost of the "AzFuse" meter on the hit path: the same hits with a listener taking
        // every measurement (as dotnet-counters or OpenTelemetry would) and with none. The listener
        // is switched on and off by each case's setup, so the two interleave run by run.
        using var meter = new MeterSwitch();
        timings = bench.Measurement.Compare($"{Hits} cache hits with and without a MeterListener on the AzFuse meter",
        [
            new("default, nobody listening", () => ReadAll(plain, hits), Setup: meter.Off, Route: "no request"),
            new("default, a MeterListener taking every measurement", () => ReadAll(plain, hits), Setup: meter.On, Route: "no request"),
        ]);
        meter.Off();
        Measurement.Print($"7b. {Hits} cache hits of 4 KB files, metrics listened to or not: median of {bench.Measurement.Repeat} runs ({meter.Measurements} measurements taken)", timings);
        Table.PrintRatio("listened / not listened (target <= 1.05)", timings[1].Median, timings[0].Median);

        // Half the files fit: the second half of every run evicts (down to 90% at each pass).
        var misses = Enumerable.Range(0, Misses).Select(i => Workbench.Logical($"cache/misses/{i}.bin")).ToList();
        var full = bench.NewClient(o => o.MaxCacheSize = Misses / 2 * Small);
        var clear = () => plain.ClearCache(Workbench.Logical("cache"));
        timings = bench.Measurement.Compare($"{Misses} cache misses (Open + read 4 KB), unbounded and evicting",
        [
            new("unbounded", () => ReadAll(plain, misses), Setup: clear),
            new($"bounded: {Misses / 2} fit, the rest evict", () => ReadAll(full, misses), Setup: clear),
        ]);
        var perRun = full.GetCacheStats().Evictions / (bench.Measurement.Repeat + 1);
        Measurement.Print($"8. {Misses} cache misses of 4 KB files into an empty cache: median of {bench.Measurement.Repeat} runs (bounded: {perRun} evictions a run)", timings);
        Table.PrintRatio("evicting / unbounded", timings[1].Median, timings[0].Median);
    }

    /// <summary>A MeterListener on the "AzFuse" meter whose measurement events are turned on and off.</summary>
    private sealed class MeterSwitch : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<Instrument> _instruments = [];
        private long _measurements;

        public MeterSwitch()
        {
            _listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "AzFuse")
                {
                    lock (_instruments)
                    {
                        _instruments.Add(instrument);
                    }
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _measurements, 1));
            _listener.SetMeasurementEventCallback<double>((_, value, _, _) => Interlocked.Add(ref _measurements, 1));
            _listener.Start();
        }

        public long Measurements => Interlocked.Read(ref _measurements);

        public void On() => Each(i => _listener.EnableMeasurementEvents(i));

        public void Off() => Each(i => _listener.DisableMeasurementEvents(i));

        public void Dispose() => _listener.Dispose();

        private void Each(Action<Instrument> action)
        {
            lock (_instruments)
            {
                _instruments.ForEach(action);
            }
        }
    }

    /// <summary>What <see cref="Workbench.OpenAndRead"/> does, on the cache file itself, opened as <see cref="File.OpenRead"/> opens it.</summary>
    public static void ReadFiles(IReadOnlyList<string> files)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        foreach (var file in files)
        {
            using var stream = File.OpenRead(file);
            while (stream.Read(buffer) > 0)
            {
            }
        }

        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary><see cref="Workbench.OpenAndRead"/> of each path, one after another.</summary>
    public static void ReadAll(AzFuseClient client, IReadOnlyList<string> paths)
    {
        foreach (var path in paths)
        {
            Workbench.OpenAndRead(client, path);
        }
    }
}
