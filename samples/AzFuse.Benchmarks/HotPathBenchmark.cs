using System.Globalization;
using System.Security.Cryptography;

namespace AzFuse.Benchmarks;

/// <summary>
/// The hot paths of issue 17, each against its bare baseline in the same run: cache-hit Opens
/// against <see cref="File.OpenRead"/> of the same files (default policy, and max_cache_size on
/// the mapping); uncached small Opens against bare GETs (and again, last, right after many
/// deletions in their folder); synchronous small writes against bare
/// PUTs; writes in an AsyncUpload scope against PUTs 16 in flight; a synchronous Prepare against
/// PrepareAsync and against bare GETs 16 in flight; a 100 MiB miss against <c>curl -o</c>. Every
/// run of a miss or a write uses blobs and cache entries no run before it touched
/// (<see cref="BlobBatches"/>). Short work (a cache hit, one small miss, one small write) takes
/// turns with its baseline slice by slice (<see cref="Measurement.CompareInTurns"/>); a scope, a
/// Prepare and the 100 MiB file, run by run. The verdicts go to one <see cref="Scorecard"/>.
/// </summary>
/// <remarks>
/// The synchronous calls run on the thread the program runs its sets on: a thread-pool thread
/// (the program awaits before it gets here), as in a server or any async caller. A synchronous
/// call that blocks pool threads to wait for its own transfers shows here as it would there.
/// </remarks>
internal static partial class HotPathBenchmark
{
    private const int Small = 4 << 10;
    private const long Big = 100L << 20;
    private const int MissesPerRun = 50;
    private const int PrepareCount = 1000;
    private const int InFlight = 16;
    private const int HitSlice = 100;
    private const int Deletions = 50_000;

    /// <remarks>
    /// Nothing the set makes is deleted before it ends (the sandbox goes with it): on ext4 without a
    /// journal, as on this project's machines, creating a file right after many were deleted costs
    /// far more (the kernel passes over recently freed inodes for seconds to minutes), so a row's
    /// clean-up made the next row's library side, which creates files where its baselines mostly do
    /// not, pay for it. Each run of a row writes to new blobs, cache entries and scratch folders instead.
    /// </remarks>
    public static async Task RunAsync(Workbench bench, BenchmarkArguments arguments)
    {
        var scores = new Scorecard();
        await CacheHitsAsync(bench, arguments.HitFiles, scores);
        await SmallMissesAsync(bench, scores);
        SmallWrites(bench, scores);
        ScopeWrites(bench, scores);
        await PrepareAsync(bench, scores);
        await BigMissAsync(bench, scores);

        // Last: the deletions it makes would tax every create of the rows after it.
        await SmallMissesAsync(bench, scores, afterDeletions: true);
        scores.Print($"Hot paths (issue 17): each a ratio of medians of {bench.Measurement.Repeat} runs measured side by side in this run");
    }

    private static async Task CacheHitsAsync(Workbench bench, int count, Scorecard scores)
    {
        Console.WriteLine($"Seeding {count} blobs of 4 KiB and filling the cache with them...");
        await bench.SeedManyAsync("hot/hits", count, Small);
        var relatives = Enumerable.Range(0, count).Select(i => $"hot/hits/{i}.bin").ToList();
        var paths = relatives.Select(Workbench.Logical).ToList();

        // Forced http: from 10,000 files auto hands a Prepare to one azcopy job; the fill is not what is measured.
        bench.Client(AzFuseTransferEngine.Http).Prepare(paths);
        bench.RequireCached(relatives);
        var fileSlices = relatives.Select(bench.Sandbox.CachePathOf).Chunk(HitSlice).ToList();
        var pathSlices = paths.Chunk(HitSlice).ToList();
        var plain = bench.Client(AzFuseTransferEngine.Auto);
        var bounded = BoundedClient(bench);

        // Untimed: both clients see every file as a cached 4 KiB one (this is also their first warm-up).
        foreach (var client in new[] { plain, bounded })
        {
            paths.ForEach(p => ReadBenchmarks.Expect(Workbench.OpenAndRead(client, p), Small, "bytes read by a cache-hit Open"));
        }

        var timings = bench.Measurement.CompareInTurns($"{count} cache hits (Open + read 4 KiB) against File.OpenRead of the same files", fileSlices.Count,
        [
            new("File.OpenRead + read (the floor)", k => CacheBenchmark.ReadFiles(fileSlices[k]), Route: "no AzFuse"),
            new("AzFuse Open + read, default policy", k => CacheBenchmark.ReadAll(plain, pathSlices[k]), Route: "no request"),
            new("AzFuse Open + read, max_cache_size on the mapping", k => CacheBenchmark.ReadAll(bounded, pathSlices[k]), Route: "no request"),
        ]);
        Measurement.Print($"H1. {count} cache hits of 4 KiB files, the ways taking turns every {HitSlice} files: median of {bench.Measurement.Repeat} rounds (sums of the turns)", timings);
        Console.WriteLine($"  per file: File.OpenRead {Microseconds(timings[0], count)}, Open (default) {Microseconds(timings[1], count)}, Open (max_cache_size) {Microseconds(timings[2], count)}");
        Console.WriteLine($"  allocated per file (one slice each, this thread): File.OpenRead {AllocatedPerFile(() => CacheBenchmark.ReadFiles(fileSlices[0]))} B, " +
            $"Open (default) {AllocatedPerFile(() => CacheBenchmark.ReadAll(plain, pathSlices[0]))} B, Open (max_cache_size) {AllocatedPerFile(() => CacheBenchmark.ReadAll(bounded, pathSlices[0]))} B");
        AtMost(scores, "cache hit 4 KiB, default: Open / File.OpenRead", timings[1], timings[0], 1.3);
        AtMost(scores, "cache hit 4 KiB, max_cache_size: Open / File.OpenRead", timings[2], timings[0], 1.5);
    }

    /// <param name="bench">The workbench.</param>
    /// <param name="scores">Where the verdict goes.</param>
    /// <param name="afterDeletions">
    /// The rounds start right after <see cref="Deletions"/> files were created and deleted in the
    /// folder the misses fill, as after an eviction pass or a ClearCache: on ext4 without a journal
    /// (this project's machines) a create then passes over the inodes freed in the last minute or
    /// more, which a miss pays for and a bare GET, which creates no file, does not. Once, before
    /// the warm-up: the rounds take seconds, and making the deletions again for each took minutes.
    /// </param>
    private static async Task SmallMissesAsync(Workbench bench, Scorecard scores, bool afterDeletions = false)
    {
        var folder = afterDeletions ? "hot/miss-deleted" : "hot/miss";
        var blobs = await BlobBatches.SeedAsync(bench, folder, BlobBatches.For(2, bench.Measurement.Repeat), MissesPerRun, Small);
        var client = bench.Client(AzFuseTransferEngine.Auto);
        var what = afterDeletions ? $"uncached 4 KiB after {Deletions:N0} deletions" : "uncached 4 KiB";
        List<string> paths = [];
        List<Uri> urls = [];
        var deleted = !afterDeletions;
        var timings = bench.Measurement.CompareInTurns($"{MissesPerRun} {what} Opens, a blob never read before each", MissesPerRun,
        [
            new("AzFuse Open + read, uncached (auto)",
                k => ReadBenchmarks.Expect(Workbench.OpenAndRead(client, paths[k]), Small, "bytes read by Open"),
                Setup: () =>
                {
                    if (!deleted)
                    {
                        CreateAndDelete(Path.Combine(bench.Sandbox.CacheRoot, folder), Deletions);
                        deleted = true;
                    }

                    paths = blobs.Take(MissesPerRun).Select(Workbench.Logical).ToList();
                }),
            new("bare HttpClient GET (no cache file)",
                k => ReadBenchmarks.Expect(Baselines.BareGet(urls[k]), Small, "bytes from the bare GET"),
                Setup: () => urls = blobs.Take(MissesPerRun).Select(bench.SignedBlobUrl).ToList(),
                Route: "one GET each"),
        ]);
        Measurement.Print($"H2{(afterDeletions ? "b" : string.Empty)}. {MissesPerRun} {what} files, the two ways taking turns file by file: median of {bench.Measurement.Repeat} rounds", timings);
        AtMost(scores, $"{what}: Open + read / bare GET", timings[0], timings[1], 1.5);
    }

    /// <summary>Creates <paramref name="count"/> empty files in <paramref name="folder"/>, then deletes them.</summary>
    private static void CreateAndDelete(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        var names = Enumerable.Range(0, count).Select(i => Path.Combine(folder, $"deleted-{i}.tmp")).ToList();
        names.ForEach(n => File.OpenHandle(n, FileMode.CreateNew, FileAccess.Write).Dispose());
        names.ForEach(File.Delete);
    }

    private static async Task PrepareAsync(Workbench bench, Scorecard scores)
    {
        var blobs = await BlobBatches.SeedAsync(bench, "hot/prepare", BlobBatches.For(3, bench.Measurement.Repeat), PrepareCount, Small);
        var client = bench.Client(AzFuseTransferEngine.Auto);
        Candidate Library(string name, Action<List<string>> prepare)
        {
            IReadOnlyList<string> batch = [];
            List<string> paths = [];
            return new(name,
                Setup: () => { batch = blobs.Take(PrepareCount); paths = batch.Select(Workbench.Logical).ToList(); },
                Run: () => prepare(paths),
                Check: () => bench.RequireCached(batch));
        }

        List<Uri> urls = [];
        var destination = "";
        var timings = bench.Measurement.Compare($"Prepare of {PrepareCount} x 4 KiB, a list never prepared before each",
        [
            Library("Prepare (synchronous)", client.Prepare),
            Library("PrepareAsync, awaited", paths => client.PrepareAsync(paths).GetAwaiter().GetResult()),
            new($"bare HttpClient, {InFlight} GETs in flight, each into a file",
                Setup: () =>
                {
                    destination = bench.NewScratchFolder();
                    urls = blobs.Take(PrepareCount).Select(bench.SignedBlobUrl).ToList();
                },
                Run: () => ReadBenchmarks.Expect(Baselines.BareGetMany(urls, destination, InFlight), PrepareCount, "files from the bare GETs"),
                Route: $"{PrepareCount} GETs"),
        ]);
        Measurement.Print($"H5. Prepare of {PrepareCount} x 4 KiB, uncached, called from a {(Thread.CurrentThread.IsThreadPoolThread ? "thread-pool" : "dedicated")} thread: median of {bench.Measurement.Repeat} runs", timings);
        AtMost(scores, $"Prepare {PrepareCount} x 4 KiB: sync / PrepareAsync", timings[0], timings[1], 1.1);
        AtMost(scores, $"Prepare {PrepareCount} x 4 KiB: sync / bare GETs, {InFlight} in flight", timings[0], timings[2], 1.05);
    }

    private static async Task BigMissAsync(Workbench bench, Scorecard scores)
    {
        const string Relative = "hot/big.bin";
        Console.WriteLine($"Seeding one blob of {Table.Size(Big)}...");
        await bench.SeedAsync(Relative, Big);

        // Work the library does and curl does not: the MD5 of the whole file, checked against the
        // blob's Content-MD5 (from memory here, so it is the hash alone), measured in the same turns.
        var bytes = new byte[Big];
        Random.Shared.NextBytes(bytes);
        var unverified = bench.NewClient(o => o.VerifyDownloads = false);
        var logical = Workbench.Logical(Relative);
        var timings = bench.Measurement.Compare($"one uncached {Table.Size(Big)} file against curl to the same disk",
        [
            ReadBenchmarks.Open(bench, "AzFuse Open + read to the end, uncached (auto)", AzFuseTransferEngine.Auto, Relative, Big),
            ReadBenchmarks.Curl(bench, bench.SignedBlobUrl(Relative), Big),
            new($"MD5 of {Table.Size(Big)} in memory (the check curl does not make)", () => MD5.HashData(bytes), Route: "no I/O"),
            new("same Open, VerifyDownloads = false (no MD5)",
                Setup: () => unverified.ClearCache(logical),
                Run: () => ReadBenchmarks.Expect(Workbench.OpenAndRead(unverified, logical), Big, "bytes read by the unverified Open")),
        ]);
        Measurement.Print($"H6. One {Table.Size(Big)} file, cache miss: median of {bench.Measurement.Repeat} runs", timings);
        AtMost(scores, $"uncached {Table.Size(Big)}: Open + read / curl -o", timings[0], timings[1], 1.3);
        AtMost(scores, $"same, VerifyDownloads = false / curl -o", timings[3], timings[1], 1.3);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  for scale: curl's time plus the MD5's is {(timings[1].Median + timings[2].Median) / timings[1].Median:F2}x curl's time"));
        bench.Client(AzFuseTransferEngine.Auto).ClearCache(Workbench.Logical(Relative));
        bench.ClearScratch();
        await bench.Sandbox.DeleteRemoteAsync(Relative);
    }

    /// <summary>
    /// A client of the sandbox's one mapping given again in code with max_cache_size (1 TiB: far
    /// above what this set caches, so nothing is evicted): each Open does a bounded cache's bookkeeping.
    /// </summary>
    private static AzFuseClient BoundedClient(Workbench bench)
    {
        var mapping = bench.Client(AzFuseTransferEngine.Auto).GetMappings().Single();
        return bench.NewClient(o => o.Mappings.Add(new AzFuseMapping
        {
            Local = mapping.Local,
            Remote = mapping.Remote,
            Cache = mapping.CacheFolder,
            StorageAccount = mapping.StorageAccount,
            MaxCacheSize = 1L << 40,
        }));
    }

    /// <summary>Scores the ratio of the medians of <paramref name="measured"/> and <paramref name="baseline"/> against "at most <paramref name="target"/>x".</summary>
    private static void AtMost(Scorecard scores, string what, Timing measured, Timing baseline, double target)
    {
        var ratio = measured.Median / baseline.Median;
        scores.Add(what, ratio, "x", $"at most {target.ToString(CultureInfo.InvariantCulture)}x", ratio <= target);
    }

    private static long AllocatedPerFile(Action readSlice)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        readSlice();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / HitSlice;
    }

    private static string Microseconds(Timing timing, int files) =>
        (timing.Median.TotalMicroseconds / files).ToString("F1", CultureInfo.InvariantCulture) + " us";
}
