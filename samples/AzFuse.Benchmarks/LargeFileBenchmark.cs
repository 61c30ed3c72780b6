using System.Diagnostics;
using System.Globalization;
using AzFuse.Testing;

namespace AzFuse.Benchmarks;

/// <summary>
/// Large files, on loopback and through a link profile (a <see cref="LinkProxy"/> in this process
/// between the library, azcopy, curl and Azurite: 10 ms each way, 25 MB/s per connection, as a
/// storage account in another region): a --large-mb (1 GiB) download against azcopy (job and pipe),
/// curl and one HTTP stream; its upload against azcopy; a streamed sequential read against the
/// parallel download; the process's peak memory growth; and a 4 KiB ReadRange of an uncached
/// --range-mb (4 GiB) blob against one bare ranged GET. Every target is a ratio of two things
/// measured in the same run.
/// </summary>
internal static class LargeFileBenchmark
{
    private const string Big = "large/big.bin";
    private const string Huge = "large/huge.bin";
    private const string Uploaded = "large/up.bin";

    public static async Task RunAsync(Workbench bench, BenchmarkArguments arguments)
    {
        var size = arguments.LargeSize;
        var source = Path.Combine(bench.Sandbox.Root, "large-source.bin");
        Console.WriteLine($"Seeding the large-file blobs ({Table.Size(size)}, {Table.Size(arguments.RangeBlobSize)}) and a {Table.Size(size)} local file to upload...");
        await bench.SeedAsync(Big, size);
        WriteRandomFile(source, size);
        await using var proxy = LinkProxy.Start(bench.Sandbox.Server, LinkProfile.OtherRegion);
        Console.WriteLine($"Link profile: {proxy.Profile}; chunks of {Table.Size(arguments.Options().ChunkSize)}, {arguments.Options().ChunksInFlight} in flight");

        Loopback(bench, arguments, size);
        Memory(bench, arguments, size, source);
        LinkDownload(bench, arguments, proxy, size);
        LinkUpload(bench, arguments, proxy, size, source);

        await bench.SeedAsync(Huge, arguments.RangeBlobSize);
        await RangeReadAsync(bench, arguments, arguments.RangeBlobSize);
        bench.ClearScratch();
    }

    /// <summary>ChunkSize × ChunksInFlight through the link profile: the measurements behind the defaults.</summary>
    public static async Task ChunksAsync(Workbench bench, BenchmarkArguments arguments)
    {
        var size = arguments.LargeSize;
        var source = Path.Combine(bench.Sandbox.Root, "large-source.bin");
        Console.WriteLine($"Seeding a {Table.Size(size)} blob and local file...");
        await bench.SeedAsync(Big, size);
        WriteRandomFile(source, size);
        await using var proxy = LinkProxy.Start(bench.Sandbox.Server, LinkProfile.OtherRegion);
        bench.Sandbox.RouteThrough(proxy);
        var file = "";
        var reference = bench.Measurement.Compare($"azcopy pipe download of {Table.Size(size)} through the link ({proxy.Profile})", warmUp: false, candidates:
        [
            new("azcopy pipe", Setup: () => { bench.ClearScratch(); file = Path.Combine(bench.ScratchRoot, "pipe.bin"); }, Run: () => ReadBenchmarks.Expect(bench.Baselines.AzCopyPipeDownload(bench.SignedBlobUrl(Big, proxy), file), size, "bytes from azcopy"), Route: "azcopy BlobPipe (direct)"),
        ]);
        var table = new Table("chunk", "in flight", "download ms", "download / azcopy pipe", "upload ms");
        foreach (var chunk in arguments.ChunkSizes)
        {
            foreach (var inFlight in arguments.InFlights)
            {
                var client = Client(bench, o => { o.ChunkSize = chunk; o.ChunksInFlight = inFlight; o.TransferEngine = AzFuseTransferEngine.Http; });
                var timings = bench.Measurement.Compare($"{Table.Size(chunk)} x {inFlight} through the link", warmUp: false, candidates:
                [
                    Download(client, $"download", size),
                    Upload(bench, client, "upload", source, size),
                ]);
                table.Add(Table.Size(chunk), inFlight.ToString(CultureInfo.InvariantCulture), Table.Ms(timings[0].Median), Table.Ratio(timings[0].Median / reference[0].Median), Table.Ms(timings[1].Median));
            }
        }

        table.Print($"L0. {Table.Size(size)} through the link ({proxy.Profile}), forced http, median of {bench.Measurement.Repeat}; azcopy pipe download: {Table.Ms(reference[0].Median)} ms");
        bench.Sandbox.RouteDirect();
        bench.ClearScratch();
    }

    private static void Loopback(Workbench bench, BenchmarkArguments arguments, long size)
    {
        bench.Sandbox.RouteDirect();
        var client = Client(bench, arguments.Configure);
        var url = bench.SignedBlobUrl(Big, via: null);
        var file = "";
        var timings = bench.Measurement.Compare($"{Table.Size(size)} download on loopback",
        [
            Download(client, "AzFuse Open (download, auto)", size),
            new("curl -s -f -o FILE URL", Setup: () => { bench.ClearScratch(); file = Path.Combine(bench.ScratchRoot, "curl.bin"); }, Run: () => ReadBenchmarks.Expect(Baselines.Curl(url, file), size, "bytes from curl"), Route: "curl"),
        ]);
        Measurement.Print($"L1. One {Table.Size(size)} download, loopback: median of {bench.Measurement.Repeat} runs", timings);
        Table.PrintRatio("AzFuse / curl", timings[0].Median, timings[1].Median, "at most 1.3x", timings[0].Median <= 1.3 * timings[1].Median);
        client.ClearCache(Workbench.Logical(Big));
    }

    private static void Memory(Workbench bench, BenchmarkArguments arguments, long size, string source)
    {
        bench.Sandbox.RouteDirect();
        var client = Client(bench, arguments.Configure);
        var table = new Table("run", "download ms", "download: peak RSS growth MiB", "upload ms", "upload: peak RSS growth MiB");
        var worst = 0.0;
        for (var run = 1; run <= Math.Min(3, bench.Measurement.Repeat); run++)
        {
            client.ClearCache(Workbench.Logical(Big));
            var (download, downloadGrowth) = Peak(() => client.Open(Workbench.Logical(Big), FileMode.Open).Dispose());
            var write = client.OpenWrite(Workbench.Logical(Uploaded));
            using (var input = File.OpenRead(source))
            {
                input.CopyTo(write, 1 << 20);
            }

            var (upload, uploadGrowth) = Peak(write.Dispose);
            worst = Math.Max(worst, Math.Max(downloadGrowth, uploadGrowth));
            table.Add(run.ToString(CultureInfo.InvariantCulture), Table.Ms(download), downloadGrowth.ToString("F1", CultureInfo.InvariantCulture), Table.Ms(upload), uploadGrowth.ToString("F1", CultureInfo.InvariantCulture));
        }

        table.Print($"L2. Peak memory growth of this process during a {Table.Size(size)} download (Open) and upload (Dispose of the write stream), loopback (VmHWM after a reset)");
        Console.WriteLine($"  {"worst growth, MiB",-44} {worst,8:F1}  (target: under 64 MiB)  -> {(worst < 64 ? "met" : "MISSED")}");
        client.ClearCache(Workbench.Logical("large"));
    }

    private static void LinkDownload(Workbench bench, BenchmarkArguments arguments, LinkProxy proxy, long size)
    {
        bench.Sandbox.RouteThrough(proxy);
        var client = Client(bench, arguments.Configure);
        var url = bench.SignedBlobUrl(Big, proxy);
        var file = "";
        void Fresh() { bench.ClearScratch(); file = Path.Combine(bench.ScratchRoot, "azcopy.bin"); }
        var timings = bench.Measurement.Compare($"{Table.Size(size)} download through the link ({proxy.Profile})",
        [
            Download(client, "AzFuse Open (download, auto)", size),
            new("azcopy copy (job), run directly", Setup: Fresh, Run: () => ReadBenchmarks.Expect(bench.Baselines.AzCopyDownload(url, file), size, "bytes from azcopy"), Route: "azcopy BlobLocal (direct)"),
            new("azcopy copy --from-to BlobPipe, run directly", Setup: Fresh, Run: () => ReadBenchmarks.Expect(bench.Baselines.AzCopyPipeDownload(url, file), size, "bytes from azcopy"), Route: "azcopy BlobPipe (direct)"),
            ReadAll(client, "AzFuse Open + read to the end", size, streaming: false),
            ReadAll(client, "AzFuse streamed Open + read to the end", size, streaming: true),
        ]);
        Measurement.Print($"L3. One {Table.Size(size)} download through the link ({proxy.Profile}): median of {bench.Measurement.Repeat} runs", timings);
        var azCopy = timings[1].Median < timings[2].Median ? timings[1] : timings[2];
        Table.PrintRatio($"AzFuse / azcopy (its faster: {(azCopy == timings[1] ? "job" : "pipe")})", timings[0].Median, azCopy.Median, "at most 1.1x", timings[0].Median <= 1.1 * azCopy.Median);
        Table.PrintRatio("AzFuse / azcopy job", timings[0].Median, timings[1].Median);
        Table.PrintRatio("AzFuse / azcopy pipe", timings[0].Median, timings[2].Median);
        Table.PrintRatio("streamed read / download + read (time)", timings[4].Median, timings[3].Median, "throughput at least 0.8x: time at most 1.25x", timings[4].Median <= 1.25 * timings[3].Median);

        // One stream of 25 MB/s moves 1 GiB in about 43 s: measured once, after the rest.
        file = Path.Combine(bench.ScratchRoot, "curl.bin");
        var watch = Stopwatch.StartNew();
        ReadBenchmarks.Expect(Baselines.Curl(url, file), size, "bytes from curl");
        var oneStream = watch.Elapsed;
        Console.WriteLine($"  {"one HTTP stream (curl), one run, ms",-44} {Table.Ms(oneStream),8}");
        Table.PrintRatio("one HTTP stream / AzFuse", oneStream, timings[0].Median, "at least 4x", oneStream >= 4 * timings[0].Median);
        client.ClearCache(Workbench.Logical("large"));
        bench.ClearScratch();
    }

    private static void LinkUpload(Workbench bench, BenchmarkArguments arguments, LinkProxy proxy, long size, string source)
    {
        bench.Sandbox.RouteThrough(proxy);
        var client = Client(bench, arguments.Configure);
        var url = bench.SignedBlobUrl("large/azcopy-up.bin", proxy, write: true);
        var timings = bench.Measurement.Compare($"{Table.Size(size)} upload through the link ({proxy.Profile})",
        [
            Upload(bench, client, "AzFuse upload (Dispose of the write stream, auto)", source, size),
            new("azcopy copy FILE URL --put-md5 (job), run directly", () => bench.Baselines.AzCopyUpload(source, url), Route: "azcopy LocalBlob (direct)"),
            new("azcopy copy --from-to PipeBlob --put-md5 < FILE, run directly", () => bench.Baselines.AzCopyPipeUpload(source, url), Route: "azcopy PipeBlob (direct)"),
        ]);
        Measurement.Print($"L4. One {Table.Size(size)} upload through the link ({proxy.Profile}): median of {bench.Measurement.Repeat} runs", timings);
        var azCopy = timings[1].Median < timings[2].Median ? timings[1] : timings[2];
        Table.PrintRatio($"AzFuse / azcopy (its faster: {(azCopy == timings[1] ? "job" : "pipe")})", timings[0].Median, azCopy.Median, "at most 1.1x", timings[0].Median <= 1.1 * azCopy.Median);
        Table.PrintRatio("AzFuse / azcopy job", timings[0].Median, timings[1].Median);
        Table.PrintRatio("AzFuse / azcopy pipe", timings[0].Median, timings[2].Median);
        client.ClearCache(Workbench.Logical("large"));
        bench.Sandbox.RouteDirect();
    }

    private static async Task RangeReadAsync(Workbench bench, BenchmarkArguments arguments, long size)
    {
        const int Count = 4096;
        const int Reads = 100;
        bench.Sandbox.RouteDirect();
        var client = Client(bench, arguments.Configure);
        var logical = Workbench.Logical(Huge);
        var url = bench.SignedBlobUrl(Huge, via: null);
        var offsets = Enumerable.Range(0, Reads).Select(i => new Random(i).NextInt64(size - Count)).ToList();
        var buffer = new byte[Count];
        var timings = bench.Measurement.Compare($"{Reads} reads of 4 KiB at random offsets of an uncached {Table.Size(size)} blob",
        [
            new("AzFuse ReadRange", () => offsets.ForEach(o => ReadBenchmarks.Expect(client.ReadRange(logical, o, buffer), Count, "bytes from ReadRange")), Route: "one GET each"),
            new("bare HttpClient GET with a Range header", () => offsets.ForEach(o => ReadBenchmarks.Expect(Baselines.BareRangedGet(url, o, Count), Count, "bytes from the ranged GET")), Route: "one GET each"),
        ]);
        Measurement.Print($"L5. {Reads} ReadRange calls of 4 KiB, uncached {Table.Size(size)} blob, loopback: median of {bench.Measurement.Repeat} runs", timings);
        Table.PrintRatio("ReadRange / bare ranged GET", timings[0].Median, timings[1].Median, "at most 2x", timings[0].Median <= 2 * timings[1].Median);

        // What one ReadRange moves, counted by a proxy that only counts.
        var cachePath = bench.Sandbox.CachePathOf(Huge);
        await using var counting = LinkProxy.Start(bench.Sandbox.Server, LinkProfile.Loopback);
        bench.Sandbox.RouteThrough(counting);
        ReadBenchmarks.Expect(Client(bench, arguments.Configure).ReadRange(logical, offsets[0], buffer), Count, "bytes from ReadRange");
        Console.WriteLine($"  one ReadRange of 4 KiB: {counting.Requests.Count} request(s), {counting.BytesToClients} bytes received, cached file created: {File.Exists(cachePath)}  (target: no more than one block) -> {(counting.Requests.Count == 1 && counting.BytesToClients < arguments.Options().ChunkSize && !File.Exists(cachePath) ? "met" : "MISSED")}");
        bench.Sandbox.RouteDirect();
    }

    private static Candidate Download(AzFuseClient client, string name, long size)
    {
        var logical = Workbench.Logical(Big);
        return new(name,
            Setup: () => client.ClearCache(logical),
            Run: () => client.Open(logical, FileMode.Open).Dispose(),
            Check: () => ReadBenchmarks.Expect(client.GetLength(logical), size, $"length cached by '{name}'"));
    }

    private static Candidate ReadAll(AzFuseClient client, string name, long size, bool streaming)
    {
        var logical = Workbench.Logical(Big);
        return new(name,
            Setup: () => client.ClearCache(logical),
            Run: () =>
            {
                using var stream = client.Open(logical, FileMode.Open, new OpenOptions { Streaming = streaming });
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
                long total = 0;
                int read;
                while ((read = stream.Read(buffer)) > 0)
                {
                    total += read;
                }

                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                ReadBenchmarks.Expect(total, size, $"bytes read by '{name}'");
            });
    }

    /// <summary>The upload of a written file: the write stream is filled in the setup, and its Dispose (commit and upload) timed.</summary>
    private static Candidate Upload(Workbench bench, AzFuseClient client, string name, string source, long size)
    {
        var logical = Workbench.Logical(Uploaded);
        AzFuseWriteStream? write = null;
        return new(name,
            Setup: () =>
            {
                write = client.OpenWrite(logical);
                using var input = File.OpenRead(source);
                input.CopyTo(write, 1 << 20);
                write.Flush();
            },
            Run: () => write!.Dispose(),
            Check: () => ReadBenchmarks.Expect(bench.Baselines.RemoteLength(Uploaded), size, $"length of the blob uploaded by '{name}'"),
            Route: null);
    }

    private static AzFuseClient Client(Workbench bench, Action<AzFuseOptions> configure)
    {
        var options = bench.Sandbox.CreateOptions();
        options.RetryDelay = new AzFuseOptions().RetryDelay;
        configure(options);
        return new AzFuseClient(options, bench.Warnings);
    }

    private static (TimeSpan Elapsed, double GrowthMiB) Peak(Action work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = PeakMemory.Reset();
        var watch = Stopwatch.StartNew();
        work();
        return (watch.Elapsed, (PeakMemory.Peak() - before) / (1024.0 * 1024));
    }

    private static void WriteRandomFile(string path, long size)
    {
        if (File.Exists(path) && new FileInfo(path).Length == size)
        {
            return;
        }

        using var stream = File.Create(path);
        var buffer = new byte[1 << 20];
        var random = new Random(42);
        for (long written = 0; written < size; written += buffer.Length)
        {
            random.NextBytes(buffer);
            stream.Write(buffer, 0, (int)Math.Min(buffer.Length, size - written));
        }
    }
}
