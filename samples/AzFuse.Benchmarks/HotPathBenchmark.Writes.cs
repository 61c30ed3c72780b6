using System.Globalization;

namespace AzFuse.Benchmarks;

/// <summary>The write side of the hot paths: small writes one by one, and many in an AsyncUpload scope.</summary>
internal static partial class HotPathBenchmark
{
    private const int WritesPerRun = 50;
    private const int ScopeCount = 200;
    private const int ScopeFileSize = 1 << 10;

    /// <summary>Open for write, write 4 KiB, Dispose (the upload), one file after another, outside any scope; against one bare Put Blob each.</summary>
    private static void SmallWrites(Workbench bench, Scorecard scores)
    {
        var content = Workbench.RandomBytes(Small, 17);
        var client = bench.Client(AzFuseTransferEngine.Auto);
        var written = BlobBatches.New("hot/write");
        var put = BlobBatches.New("hot/put");
        IReadOnlyList<string> batch = [];
        List<string> paths = [];
        IReadOnlyList<string> putBatch = [];
        List<Uri> urls = [];
        var floor = DiskFloor(bench, "hot/write-floor");
        var timings = bench.Measurement.CompareInTurns($"{WritesPerRun} synchronous 4 KiB writes, each to a new blob", WritesPerRun,
        [
            new("AzFuse Open(Create) + write 4 KiB + Dispose",
                k => Write(client, paths[k], content),
                Setup: () => { batch = written.Take(WritesPerRun); paths = batch.Select(Workbench.Logical).ToList(); },
                Check: () => bench.RequireUploaded(batch, Small)),
            new("bare HttpClient PUT (Put Blob)",
                k => Baselines.BarePut(urls[k], content),
                Setup: () => { putBatch = put.Take(WritesPerRun); urls = putBatch.Select(r => bench.SignedBlobUrl(r, via: null, write: true)).ToList(); },
                Check: () => bench.RequireUploaded(putBatch, Small),
                Route: "one PUT each"),
            new("a new 4 KiB file in the cache's folder (create, write, close: the disk's part)",
                k => floor.Create(k, content), Setup: floor.Next, Route: "no request"),
        ]);
        Measurement.Print($"H3. {WritesPerRun} synchronous 4 KiB writes, the ways taking turns write by write: median of {bench.Measurement.Repeat} rounds", timings);
        AtMost(scores, "sync write 4 KiB: Open + write + Dispose / bare PUT", timings[0], timings[1], 1.5);
        PrintFloor(timings[1], timings[2]);
    }

    /// <summary>200 writes of 1 KiB in an AsyncUpload scope, timed until the scope's Dispose returns (all uploaded); against 200 bare PUTs 16 in flight.</summary>
    private static void ScopeWrites(Workbench bench, Scorecard scores)
    {
        var content = Workbench.RandomBytes(ScopeFileSize, 18);
        var client = bench.Client(AzFuseTransferEngine.Auto);
        var written = BlobBatches.New("hot/scope");
        var put = BlobBatches.New("hot/scope-put");
        Candidate Scope(string name, bool shmAsTmp)
        {
            IReadOnlyList<string> batch = [];
            List<string> paths = [];
            return new(name,
                Setup: () => { batch = written.Take(ScopeCount); paths = batch.Select(Workbench.Logical).ToList(); },
                Run: () =>
                {
                    using var scope = client.AsyncUpload(shmAsTmp: shmAsTmp);
                    paths.ForEach(p => Write(client, p, content));
                },
                Check: () => bench.RequireUploaded(batch, ScopeFileSize));
        }

        IReadOnlyList<string> putBatch = [];
        List<Uri> urls = [];
        var floor = DiskFloor(bench, "hot/scope-floor");
        var timings = bench.Measurement.Compare($"{ScopeCount} writes of 1 KiB until all are uploaded",
        [
            Scope($"AzFuse AsyncUpload scope, {ScopeCount} writes, until Dispose returns", shmAsTmp: false),
            Scope("the same with shmAsTmp: true", shmAsTmp: true),
            new($"bare HttpClient, {ScopeCount} PUTs, {InFlight} in flight",
                Setup: () => { putBatch = put.Take(ScopeCount); urls = putBatch.Select(r => bench.SignedBlobUrl(r, via: null, write: true)).ToList(); },
                Run: () => ReadBenchmarks.Expect(Baselines.BarePutMany(urls, content, InFlight), ScopeCount, "blobs from the bare PUTs"),
                Check: () => bench.RequireUploaded(putBatch, ScopeFileSize),
                Route: $"{ScopeCount} PUTs"),
            new($"{ScopeCount} new 1 KiB files in the cache's folder, one after another (the disk's part)",
                Setup: floor.Next, Run: () => { for (var k = 0; k < ScopeCount; k++) { floor.Create(k, content); } }, Route: "no request"),
        ]);
        Measurement.Print($"H4. {ScopeCount} writes of 1 KiB until uploaded: median of {bench.Measurement.Repeat} runs", timings);
        AtMost(scores, $"{ScopeCount} x 1 KiB in a scope / {ScopeCount} PUTs, {InFlight} in flight", timings[0], timings[2], 1.2);
        AtMost(scores, $"same, shmAsTmp: true / {ScopeCount} PUTs, {InFlight} in flight", timings[1], timings[2], 1.2);
        PrintFloor(timings[2], timings[3]);
    }

    /// <summary>
    /// New files in a folder of the cache (beside the cache files, so on the same disk and, with ext4,
    /// near their block group): what a write to the cache costs before the library does anything.
    /// One file is created per write, and a bare PUT creates none; on this machine's disk a creation
    /// costs from 20 µs to 0.8 ms of CPU depending on the folder, so the floor is printed with the rows.
    /// </summary>
    private static FileFloor DiskFloor(Workbench bench, string relative) => new(bench.Sandbox.CachePathOf(relative));

    private static void PrintFloor(Timing put, Timing floor) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  for scale: creating the files alone took {floor.Median.TotalMilliseconds:F1} ms, {floor.Median / put.Median:F2}x the PUTs' time (the bare PUTs create none)"));

    /// <summary>Files created in a new folder each round (kept until the set ends: see <see cref="RunAsync"/>).</summary>
    private sealed class FileFloor(string root)
    {
        private int _round;
        private string? _folder;

        public void Next()
        {
            _folder = Path.Combine(root, (++_round).ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(_folder);
        }

        public void Create(int k, byte[] content)
        {
            using var file = new FileStream(Path.Combine(_folder!, k.ToString(CultureInfo.InvariantCulture)), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            file.Write(content);
        }
    }

    /// <summary>What the design card's write is: Open for write, write, Dispose (which uploads, or queues in a scope).</summary>
    private static void Write(AzFuseClient client, string logicalPath, byte[] content)
    {
        using var stream = client.Open(logicalPath, FileMode.Create);
        stream.Write(content);
    }
}
