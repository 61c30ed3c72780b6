using AzFuse.Testing;

namespace AzFuse.Benchmarks;

/// <summary>
/// Where azcopy starts to beat in-process HTTP, to justify <see cref="AzFuseOptions.AzCopyMinFileSize"/>
/// and <see cref="AzFuseOptions.AzCopyMinBatchCount"/>: single files of growing size (download and
/// upload, HTTP against azcopy's pipe mode) and Prepare batches of growing count (parallel HTTP
/// against one azcopy job).
/// </summary>
internal static class SweepBenchmark
{
    private const int Small = 4 << 10;

    // A batch of large files (shards): few files, each cut into ranges by the in-process engine.
    private const int LargeBatch = 8;
    private const int LargeBatchSize = 32 << 20;

    public static async Task RunAsync(Workbench bench, BenchmarkArguments arguments)
    {
        var maxCount = arguments.Counts.Max();
        Console.WriteLine($"Seeding the sweep's blobs ({string.Join(", ", arguments.Sizes.Select(Table.Size))}; {maxCount} of 4 KB)...");
        foreach (var size in arguments.Sizes)
        {
            await bench.SeedAsync(DownloadName(size), size);
        }

        await bench.SeedManyAsync("sweep/many", maxCount, Small);
        await bench.SeedManyAsync("sweep/warm", 2, Small);
        await bench.SeedManyAsync("sweep/large", LargeBatch, LargeBatchSize);

        // With --link, the library and its azcopy runs go through the link profile (before any client exists).
        await using var proxy = arguments.Link ? LinkProxy.Start(bench.Sandbox.Server, LinkProfile.OtherRegion) : null;
        if (proxy is not null)
        {
            bench.Sandbox.RouteThrough(proxy);
            Console.WriteLine($"Through the link profile: {proxy.Profile}");
        }

        WarmUp(bench);

        var defaults = new AzFuseOptions();
        var download = new Table("size", "http ms", "azcopy pipe ms", "azcopy / http", "<faster");
        var upload = new Table("size", "http ms", "azcopy pipe ms", "azcopy / http", "<faster");
        var downloads = new List<(string, double)>();
        var uploads = new List<(string, double)>();
        foreach (var size in arguments.Sizes)
        {
            var relative = DownloadName(size);
            var timings = bench.Measurement.Compare($"download of one {Table.Size(size)} file", warmUp: false, candidates:
            [
                ReadBenchmarks.Open(bench, "http", AzFuseTransferEngine.Http, relative, size),
                ReadBenchmarks.Open(bench, "azcopy", AzFuseTransferEngine.AzCopy, relative, size),
            ]);
            downloads.Add(AddRow(download, Table.Size(size), timings));

            var content = Workbench.RandomBytes((int)size, (int)size);
            timings = bench.Measurement.Compare($"upload of one {Table.Size(size)} file", warmUp: false, candidates:
            [
                Upload(bench, "http", AzFuseTransferEngine.Http, content),
                Upload(bench, "azcopy", AzFuseTransferEngine.AzCopy, content),
            ]);
            uploads.Add(AddRow(upload, Table.Size(size), timings));
        }

        // Printed now: the batches that follow can take many minutes through the link profile.
        var repeat = bench.Measurement.Repeat;
        download.Print($"5a. Download of one file (cache-miss Open + read), forced http against forced azcopy pipe: median of {repeat} runs");
        PrintCrossover(downloads, $"AzCopyMinFileSize default: {Table.Size(defaults.AzCopyMinFileSize)}");
        upload.Print($"5a. Upload of one file (WriteAllBytes), forced http against forced azcopy pipe: median of {repeat} runs");
        PrintCrossover(uploads, $"AzCopyMinFileSize applies to uploads too");

        var batch = new Table("files", "http ms", "azcopy job ms", "azcopy / http", "<faster");
        var batches = new List<(string, double)>();
        foreach (var count in arguments.Counts)
        {
            var relatives = Enumerable.Range(0, count).Select(i => $"sweep/many/{i}.bin").ToList();
            var timings = bench.Measurement.Compare($"Prepare of {count} x 4 KB", warmUp: false, candidates:
            [
                ReadBenchmarks.Prepare(bench, "http", AzFuseTransferEngine.Http, "sweep/many", relatives),
                ReadBenchmarks.Prepare(bench, "azcopy", AzFuseTransferEngine.AzCopy, "sweep/many", relatives),
            ]);
            batches.Add(AddRow(batch, count.ToString(System.Globalization.CultureInfo.InvariantCulture), timings));
            Console.WriteLine($"           {count} files: http {Table.Ms(timings[0].Median)} ms, azcopy job {Table.Ms(timings[1].Median)} ms");
        }

        batch.Print($"5b. Prepare of N x 4 KB, empty cache, forced http against forced azcopy job: median of {repeat} runs");
        PrintCrossover(batches, $"AzCopyMinBatchCount default: {defaults.AzCopyMinBatchCount}");

        var shards = Enumerable.Range(0, LargeBatch).Select(i => $"sweep/large/{i}.bin").ToList();
        var large = bench.Measurement.Compare($"Prepare of {LargeBatch} x {Table.Size(LargeBatchSize)}", warmUp: false, candidates:
        [
            ReadBenchmarks.Prepare(bench, "http", AzFuseTransferEngine.Http, "sweep/large", shards),
            ReadBenchmarks.Prepare(bench, "azcopy", AzFuseTransferEngine.AzCopy, "sweep/large", shards),
        ]);
        var shardTable = new Table("files", "http ms", "azcopy job ms", "azcopy / http", "<faster");
        AddRow(shardTable, $"{LargeBatch} x {Table.Size(LargeBatchSize)}", large);
        shardTable.Print($"5c. Prepare of a batch of large files, empty cache, forced http (each file in parallel ranges) against forced azcopy job: median of {repeat} runs");
    }

    private static string DownloadName(long size) => $"sweep/down/{size}.bin";

    // The first run of each route pays for JIT, connections and azcopy's first start; the sweep's
    // own measurements then skip their warm-up (a 256 MB or 10,000-file warm-up costs a lot).
    private static void WarmUp(Workbench bench)
    {
        var pair = new[] { "sweep/warm/0.bin", "sweep/warm/1.bin" };
        var content = Workbench.RandomBytes(Small, 1);
        foreach (var engine in new[] { AzFuseTransferEngine.Http, AzFuseTransferEngine.AzCopy })
        {
            var client = bench.Client(engine);
            var open = ReadBenchmarks.Open(bench, "warm-up", engine, pair[0], Small);
            open.Setup!();
            open.Run();
            client.WriteAllBytes(Workbench.Logical($"sweep/warm/up-{engine}.bin"), content);
            client.ClearCache(Workbench.Logical("sweep/warm"));
            client.Prepare(pair.Select(Workbench.Logical));
            client.ClearCache(Workbench.Logical("sweep/warm"));
        }
    }

    private static Candidate Upload(Workbench bench, string name, AzFuseTransferEngine engine, byte[] content)
    {
        var client = bench.Client(engine);
        var relative = $"sweep/up/{engine}/{content.Length}.bin";
        return new(name,
            Run: () => client.WriteAllBytes(Workbench.Logical(relative), content),
            Check: () => ReadBenchmarks.Expect(bench.Baselines.RemoteLength(relative), content.Length, $"length of the blob uploaded by '{name}'"));
    }

    // timings: [http, azcopy]. Returns (label, azcopy / http).
    private static (string, double) AddRow(Table table, string label, IReadOnlyList<Timing> timings)
    {
        var ratio = timings[1].Median / timings[0].Median;
        table.Add(label, Table.Ms(timings[0].Median), Table.Ms(timings[1].Median), Table.Ratio(ratio), ratio < 1 ? "azcopy" : "http");
        foreach (var t in timings.Where(t => !t.Route.Contains(t.Name == "http" ? "HTTP only" : "azcopy", StringComparison.Ordinal)))
        {
            Console.WriteLine($"  note: {label} '{t.Name}' took route '{t.Route}'");
        }

        return (label, ratio);
    }

    private static void PrintCrossover(List<(string Label, double Ratio)> rows, string note)
    {
        var first = rows.FindIndex(r => r.Ratio < 1);
        var stays = first >= 0 && rows.Skip(first).All(r => r.Ratio < 1);
        var crossover = first < 0
            ? "none in range (http faster everywhere)"
            : $"azcopy first faster at {rows[first].Label}{(stays ? " and from there on" : ", but not at every larger point")}";
        Console.WriteLine($"  crossover: {crossover}   [{note}]");
    }
}
