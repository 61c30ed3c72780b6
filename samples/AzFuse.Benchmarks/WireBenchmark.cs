namespace AzFuse.Benchmarks;

/// <summary>
/// The library against the wire: what it adds to a bare HttpClient for one small miss and for a
/// Prepare of many small files, and how much memory a 1 GiB download costs the process. The
/// targets of the move to Azure.Storage.Blobs; <c>compare-builds.sh</c> runs this set on two
/// builds side by side.
/// </summary>
internal static class WireBenchmark
{
    private const int Small = 4 << 10;
    private const int InFlight = 16;

    public static async Task RunAsync(Workbench bench, BenchmarkArguments arguments)
    {
        Console.WriteLine($"Seeding the wire benchmark's blobs (1 + {arguments.Files} of 4 KB, one of {Table.Size(arguments.BigSize)})...");
        await bench.SeedAsync("wire/small.bin", Small);
        await bench.SeedManyAsync("wire/many", arguments.Files, Small);
        await bench.SeedAsync("wire/big.bin", arguments.BigSize);

        OneSmallMiss(bench);
        PrepareMany(bench, arguments.Files);
        BigDownloadMemory(bench, arguments.BigSize);
    }

    private static void OneSmallMiss(Workbench bench)
    {
        var url = bench.SignedBlobUrl("wire/small.bin");
        var timings = bench.Measurement.Compare("one 4 KB cache miss",
        [
            ReadBenchmarks.Open(bench, "Open + read, auto", AzFuseTransferEngine.Auto, "wire/small.bin", Small),
            new("bare HttpClient GET (no cache file)", () => ReadBenchmarks.Expect(Baselines.BareGet(url), Small, "bytes from the bare GET"), Route: "one GET"),
        ]);

        Measurement.Print($"W1. One 4 KB file, cache miss: median of {bench.Measurement.Repeat} runs", timings);
        Table.PrintRatio("Open / bare GET", timings[0].Median, timings[1].Median, "at most 1.5x", timings[0].Median.TotalMilliseconds <= 1.5 * timings[1].Median.TotalMilliseconds);
    }

    private static void PrepareMany(Workbench bench, int count)
    {
        var relatives = Enumerable.Range(0, count).Select(i => $"wire/many/{i}.bin").ToList();
        var urls = relatives.Select(bench.SignedBlobUrl).ToList();
        var destination = "";
        var timings = bench.Measurement.Compare($"Prepare of {count} x 4 KB",
        [
            ReadBenchmarks.Prepare(bench, $"Prepare {count}, auto", AzFuseTransferEngine.Auto, "wire/many", relatives),
            new($"bare HttpClient, {InFlight} GETs in flight, each into a file",
                Setup: () => { bench.ClearScratch(); destination = bench.NewScratchFolder(); },
                Run: () => ReadBenchmarks.Expect(Baselines.BareGetMany(urls, destination, InFlight), count, "files from the bare GETs"),
                Route: $"{count} GETs"),
        ]);

        Measurement.Print($"W2. Prepare of {count} x 4 KB, empty cache: median of {bench.Measurement.Repeat} runs", timings);
        Table.PrintRatio($"Prepare / bare HttpClient ({InFlight} in flight)", timings[0].Median, timings[1].Median, "at most 1.5x", timings[0].Median.TotalMilliseconds <= 1.5 * timings[1].Median.TotalMilliseconds);
        bench.ClearScratch();
    }

    private static void BigDownloadMemory(Workbench bench, long size)
    {
        var client = bench.Client(AzFuseTransferEngine.Http);
        var logical = Workbench.Logical("wire/big.bin");
        var table = new Table("run", "ms", "peak RSS growth MiB");
        for (var run = 1; run <= Math.Min(3, bench.Measurement.Repeat); run++)
        {
            client.ClearCache(logical);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = PeakMemory.Reset();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            ReadBenchmarks.Expect(Workbench.OpenAndRead(client, logical), size, "bytes read");
            var elapsed = watch.Elapsed;
            var growth = PeakMemory.Peak() - before;
            table.Add(run.ToString(System.Globalization.CultureInfo.InvariantCulture), Table.Ms(elapsed), (growth / (1024.0 * 1024)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        }

        table.Print($"W3. One {Table.Size(size)} cache miss over HTTP: how much the process's peak resident memory grew (VmHWM after a reset)");
        client.ClearCache(logical);
    }
}
