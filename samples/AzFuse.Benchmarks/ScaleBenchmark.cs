using System.Diagnostics;
using System.Globalization;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using AzFuse.Testing;

namespace AzFuse.Benchmarks;

/// <summary>
/// The library at scale (--scale-files, default 100,000 blobs of 1 KiB; --cache-files, default
/// 1,000,000 cache files): a Prepare of every blob into an empty cache, by the default route and
/// by forced HTTP (time, azcopy runs, requests, the process's peak memory); the same Prepare once
/// all are cached against enumerating the cache folder; List of every blob against a bare Azure
/// SDK listing; the resume of a journal of as many pending uploads left by a dead process (time,
/// memory); and one eviction pass over a bounded cache folder of --cache-files small files (time,
/// memory, against enumerating that folder). What needs a clean memory figure runs in a child
/// process (<see cref="ScaleChild"/>); every time ratio compares two things measured in this run.
/// </summary>
internal static class ScaleBenchmark
{
    private const string Folder = "scale";
    private const string EvictFolder = "evict";
    private const string Warm = "evict-warm.bin";
    private const string Trigger = "evict-trigger.bin";
    private const int FileSize = 1024;
    private const int CacheFileSize = 100;
    private const int PerFolder = 1000;
    private const long MemoryTarget = 200L << 20;

    public static async Task RunAsync(BenchmarkArguments arguments)
    {
        // An Azurite of its own, in memory: on disk it saves all its metadata again and again, and
        // with 200,000 blobs took 415 uploads a second where it took 1,100 at first (in memory: 937
        // and 1,370), until azcopy's uploads took seconds each. Its access log is not kept either:
        // some 500,000 lines in this process's heap would slow every collection of the measurements here.
        Console.WriteLine("Starting an Azurite in memory for the scale set...");
        await using var azurite = await AzuriteServer.StartInMemoryAsync();
        azurite.RecordsRequests = false;
        using var bench = await Workbench.CreateAsync(azurite, arguments.Repeat);
        var count = arguments.ScaleFiles;
        Console.WriteLine($"Scale: {count:N0} blobs of {Table.Size(FileSize)}; a cache folder of {arguments.CacheFiles:N0} files of {CacheFileSize} B. Load average at the start: {LoadAverage()}");
        var relatives = Enumerable.Range(0, count).Select(i => Relative(Folder, i)).ToList();
        var scores = new Scorecard();

        var parts = arguments.ScaleParts;
        if (parts.Contains("prepare") || parts.Contains("list"))
        {
            // The resumes need no seeding: they upload new content (under the same names, if seeded).
            await SeedAsync(bench, relatives);
        }

        if (parts.Contains("prepare"))
        {
            PrepareUncached(bench, relatives, scores);
            PrepareCached(bench, relatives, scores);
        }

        if (parts.Contains("list"))
        {
            List(bench, count, scores);
        }

        RemoveLocal(bench, Folder);

        // The resume by HTTP first and by the default route last: on this emulator an azcopy upload
        // job of tens of thousands of files runs at tens of files a second and can take the longest.
        var resumes = new Table("route", "ms", "files/s", "azcopy runs", "requests", "peak MiB", "peak before MiB", "failed");
        if (parts.Contains("resume-http"))
        {
            await ResumeAsync(bench, count, AzFuseTransferEngine.Http, resumes, scores);
        }

        if (parts.Contains("evict"))
        {
            await EvictAsync(bench, arguments.CacheFiles, scores);
        }

        if (parts.Contains("resume-auto"))
        {
            await ResumeAsync(bench, count, AzFuseTransferEngine.Auto, resumes, scores);
        }

        resumes.Print($"S4. Resume of a journal of {count:N0} pending uploads left by a dead process, in a fresh child process (adopt, then upload every file)");

        scores.Print($"Scale: the targets ({count:N0} blobs, {arguments.CacheFiles:N0} cache files); load average at the end: {LoadAverage()}");
    }

    private static string Relative(string folder, int i) => $"{folder}/{i / PerFolder}/{i}.bin";

    private static async Task SeedAsync(Workbench bench, IReadOnlyList<string> relatives)
    {
        Console.WriteLine($"Seeding {relatives.Count:N0} blobs (Azure SDK, 16 at a time)...");
        var watch = Stopwatch.StartNew();
        await bench.Sandbox.UploadManyAsync(relatives.Select((r, i) => (r, Workbench.RandomBytes(FileSize, i))));
        Console.WriteLine($"           done in {watch.Elapsed.TotalSeconds:F1} s ({relatives.Count / watch.Elapsed.TotalSeconds:F0} blobs/s)");
    }

    /// <summary>Prepare of every blob into an empty cache, in a child process: by the default route, then by forced HTTP.</summary>
    private static void PrepareUncached(Workbench bench, IReadOnlyList<string> relatives, Scorecard scores)
    {
        var list = Path.Combine(bench.ScratchRoot, "prepare-list.txt");
        File.WriteAllLines(list, relatives.Select(Workbench.Logical));
        var table = new Table("route", "ms", "files/s", "azcopy runs", "requests", "peak MiB", "peak before MiB");
        foreach (var engine in new[] { AzFuseTransferEngine.Auto, AzFuseTransferEngine.Http })
        {
            RemoveLocal(bench, Folder);
            var runsBefore = bench.Counter.Invocations.Count;
            Console.WriteLine($"measuring: Prepare of {relatives.Count:N0} uncached files, {engine} (child process)...");
            var result = RunChild(bench, new Dictionary<string, string> { ["AZFUSE_TRANSFER_ENGINE"] = engine.ToString().ToLowerInvariant() }, "prepare", list);
            var runs = bench.Counter.Invocations.Skip(runsBefore).ToList();
            var cached = CountFiles(Path.Combine(bench.Sandbox.CacheRoot, Folder));
            if (cached != relatives.Count)
            {
                throw new InvalidOperationException($"{cached:N0} of {relatives.Count:N0} files are in the cache after Prepare ({engine}).");
            }

            var ms = result.Number("ms");
            table.Add(engine.ToString(), ms.ToString("F0", CultureInfo.InvariantCulture), (relatives.Count / (ms / 1000)).ToString("F0", CultureInfo.InvariantCulture),
                runs.Count == 0 ? "0" : string.Join(", ", runs.GroupBy(r => r).Select(g => $"{g.Key} x{g.Count()}")),
                result.Number("requests").ToString("F0", CultureInfo.InvariantCulture), Mib(result.Number("peak")), Mib(result.Number("peak-before")));
            scores.Add($"Prepare of {relatives.Count:N0} uncached ({engine}): peak memory", result.Number("peak") / (1 << 20), "MiB", "under 200 MiB", result.Number("peak") < MemoryTarget);
            if (engine == AzFuseTransferEngine.Auto)
            {
                scores.Add($"Prepare of {relatives.Count:N0} uncached ({engine}): transfer runs", runs.Count, "runs", "all in one go: no stall, no retry", runs.Count <= 1);
            }
        }

        table.Print($"S1. Prepare of {relatives.Count:N0} x {Table.Size(FileSize)} into an empty cache, each in a fresh child process (peak: the process's peak resident memory; requests: the library's own, azcopy's not seen)");
    }

    /// <summary>Prepare of the same list once every file is cached, against enumerating the cache folder (and a File.Exists of each).</summary>
    private static void PrepareCached(Workbench bench, IReadOnlyList<string> relatives, Scorecard scores)
    {
        var client = bench.Client(AzFuseTransferEngine.Auto);
        var logical = relatives.Select(Workbench.Logical).ToList();
        var folder = Path.Combine(bench.Sandbox.CacheRoot, Folder);
        var cachePaths = relatives.Select(bench.Sandbox.CachePathOf).ToList();
        var timings = bench.Measurement.Compare($"Prepare of {relatives.Count:N0} cached files against a scan of the cache folder",
        [
            new("AzFuse Prepare (every file cached)", () => client.Prepare(logical)),
            new("Directory.EnumerateFiles (recursive)", () => Expect(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count(), relatives.Count, "files enumerated"), Route: "no request"),
            new("File.Exists of each cache path", () => Expect(cachePaths.Count(File.Exists), relatives.Count, "files found"), Route: "no request"),
        ]);
        Measurement.Print($"S2. Prepare of {relatives.Count:N0} files that are all cached: median of {bench.Measurement.Repeat} runs", timings);
        var ratio = timings[0].Median / timings[1].Median;
        scores.Add($"cached Prepare of {relatives.Count:N0} / enumerating the folder", ratio, "x", "at most 2x", ratio <= 2);
    }

    /// <summary>List of every blob (recursive) against the Azure SDK's own listing of the same prefix.</summary>
    private static void List(Workbench bench, int count, Scorecard scores)
    {
        var client = bench.Client(AzFuseTransferEngine.Auto);
        var container = new BlobContainerClient(
            new Uri($"{bench.Sandbox.Server.Endpoint.AbsoluteUri.TrimEnd('/')}/{bench.Sandbox.ContainerName}"),
            new StorageSharedKeyCredential(AzuriteServer.AccountName, AzuriteServer.AccountKey),
            bench.Sandbox.Server.CreateBlobClientOptions());
        var prefix = Workbench.BlobName(Folder) + "/";
        var timings = bench.Measurement.Compare($"List of {count:N0} blobs against a bare SDK listing",
        [
            new("AzFuse List (recursive)", () => Expect(client.List(Workbench.Logical(Folder), recursive: true).Count(), count, "names listed")),
            new("AzFuse ListEntries (recursive)", () => Expect(client.ListEntries(Workbench.Logical(Folder), recursive: true).Count(), count, "entries listed")),
            new("Azure SDK GetBlobs (bare)", () => Expect(container.GetBlobs(new GetBlobsOptions { Prefix = prefix }).Count(), count, "blobs listed"), Route: "SDK only"),
        ]);
        Measurement.Print($"S3. List of {count:N0} blobs: median of {bench.Measurement.Repeat} runs", timings);
        var ratio = timings[0].Median / timings[2].Median;
        scores.Add($"List of {count:N0} blobs / bare SDK listing", ratio, "x", "at most 1.2x", ratio <= 1.2);
    }

    /// <summary>A dead process's journal of as many pending uploads, resumed by a fresh child process by <paramref name="engine"/>.</summary>
    private static async Task ResumeAsync(Workbench bench, int count, AzFuseTransferEngine engine, Table table, Scorecard scores)
    {
        Console.WriteLine($"Leaving {count:N0} written files and a journal of their pending uploads, as a killed writer would...");
        var watch = Stopwatch.StartNew();
        // The same names as the blobs prepared above, new content: the service keeps as many blobs as before.
        var journal = AbandonedUploads.Leave(bench.Sandbox, Enumerable.Range(0, count).Select(i => (Relative(Folder, i), Workbench.RandomBytes(FileSize, -i))));
        Console.WriteLine($"           done in {watch.Elapsed.TotalSeconds:F1} s (journal: {new FileInfo(journal).Length / (1 << 20)} MiB)");

        var runsBefore = bench.Counter.Invocations.Count;
        Console.WriteLine($"measuring: resume of {count:N0} pending uploads, {engine} (child process)...");
        var result = RunChild(bench, new Dictionary<string, string> { ["AZFUSE_TRANSFER_ENGINE"] = engine.ToString().ToLowerInvariant() }, "resume");
        var runs = bench.Counter.Invocations.Skip(runsBefore).ToList();
        var failed = result.Values.ContainsKey("failed") ? result.Number("failed") : 0;
        scores.Add($"resume of {count:N0} pending uploads ({engine}): files not uploaded", failed, "files", "none: it completes", failed == 0);
        if (failed > 0)
        {
            Console.WriteLine($"           {failed:N0} failed; the first: {result.Values["cause"]}");
        }
        else if (result.Number("uploaded") != count)
        {
            throw new InvalidOperationException($"The resume uploaded {result.Number("uploaded"):N0} of {count:N0} files.");
        }

        var probe = await bench.Sandbox.DownloadAsync(Relative(Folder, count - 1));
        if (failed == 0 && (probe is null || !probe.AsSpan().SequenceEqual(Workbench.RandomBytes(FileSize, -(count - 1)))))
        {
            throw new InvalidOperationException("The last resumed file is not in the container as written.");
        }

        var ms = result.Number("ms");
        table.Add(engine.ToString(), ms.ToString("F0", CultureInfo.InvariantCulture), (count / (ms / 1000)).ToString("F0", CultureInfo.InvariantCulture),
            runs.Count == 0 ? "0" : string.Join(", ", runs.GroupBy(r => r).Select(g => $"{g.Key} x{g.Count()}")),
            result.Number("requests").ToString("F0", CultureInfo.InvariantCulture), Mib(result.Number("peak")), Mib(result.Number("peak-before")), failed.ToString("F0", CultureInfo.InvariantCulture));
        scores.Add($"resume of {count:N0} pending uploads ({engine}): peak memory", result.Number("peak") / (1 << 20), "MiB", "under 200 MiB", result.Number("peak") < MemoryTarget);
        RemoveLocal(bench, Folder);

        // What failed stays in the dead child's journal: a later child would resume it at its start.
        RemoveLocal(bench, Path.Combine(".azfuse", "pending"));
    }

    /// <summary>One eviction pass over a bounded cache folder of <paramref name="files"/> small files, in a child process, against enumerating that folder.</summary>
    private static async Task EvictAsync(Workbench bench, int files, Scorecard scores)
    {
        var folder = Path.Combine(bench.Sandbox.CacheRoot, EvictFolder);
        Console.WriteLine($"Creating {files:N0} cache files of {CacheFileSize} B...");
        var watch = Stopwatch.StartNew();
        var content = new byte[CacheFileSize];
        Parallel.For(0, (files + PerFolder - 1) / PerFolder, new ParallelOptions { MaxDegreeOfParallelism = 2 }, f =>
        {
            var sub = Path.Combine(folder, f.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(sub);
            for (var i = f * PerFolder; i < Math.Min(files, (f + 1) * PerFolder); i++)
            {
                File.WriteAllBytes(Path.Combine(sub, i.ToString(CultureInfo.InvariantCulture) + ".bin"), content);
            }
        });
        Console.WriteLine($"           done in {watch.Elapsed.TotalSeconds:F1} s");
        await bench.Sandbox.UploadAsync(Warm, Workbench.RandomBytes(CacheFileSize, 6));
        await bench.Sandbox.UploadAsync(Trigger, Workbench.RandomBytes(CacheFileSize, 7));

        // Room for exactly one more file: the child's first miss (which starts the client and, finding
        // no size ledger, scans the folder) fits; its second makes room, down to 90% of the limit.
        var limit = ((long)files + 1) * CacheFileSize;
        bench.Sandbox.SetCachePolicy(maxCacheSize: limit.ToString(CultureInfo.InvariantCulture) + "B");
        try
        {
            // The floor of any eviction: a walk that learns every file's size, and as many deletions.
            watch.Restart();
            var (walked, bytes) = Walk(folder);
            var walk = watch.Elapsed;
            Expect(walked, files, "cache files walked");
            Console.WriteLine($"measuring: one eviction pass over {files:N0} files (an uncached Open in a child process)...");
            var result = RunChild(bench, environment: null, "open", Workbench.Logical(Warm), Workbench.Logical(Trigger));
            var evicted = files - CountFiles(folder);
            var delete = DeleteFresh(bench, evicted);
            var pass = TimeSpan.FromMilliseconds(result.Number("ms"));
            var table = new Table("what", "ms", "files", "peak MiB", "peak before MiB");
            table.Add("walk with sizes (DirectoryInfo.EnumerateFiles), in this process", Table.Ms(walk), walked.ToString("N0", CultureInfo.InvariantCulture), "", "");
            table.Add("File.Delete of as many files as were evicted, in this process", Table.Ms(delete), evicted.ToString("N0", CultureInfo.InvariantCulture), "", "");
            table.Add("first Open (client start, a scan: no ledger yet; fits)", result.Number("first-ms").ToString("F0", CultureInfo.InvariantCulture), "0 evicted", "", "");
            table.Add("next Open of an uncached file, which makes room (the pass)", Table.Ms(pass), evicted.ToString("N0", CultureInfo.InvariantCulture) + " evicted", Mib(result.Number("peak")), Mib(result.Number("peak-before")));
            table.Print($"S5. One eviction pass over a cache folder of {files:N0} files ({Table.Size(bytes)}) over its max_cache_size of {limit:N0} B (down to 90%)");
            if (evicted < files / 20)
            {
                throw new InvalidOperationException($"The eviction pass evicted {evicted:N0} of {files:N0} files: it did not make room.");
            }

            var ratio = pass / (walk + delete);
            scores.Add($"eviction pass over {files:N0} files: peak memory", result.Number("peak") / (1 << 20), "MiB", "under 200 MiB", result.Number("peak") < MemoryTarget);
            scores.Add($"eviction pass / (walk + as many File.Delete)", ratio, "x", "at most 3x (two walks; a lock and a record per file)", ratio <= 3);
        }
        finally
        {
            bench.Sandbox.SetCachePolicy();
            File.Delete(bench.Sandbox.CachePathOf(Warm));
            File.Delete(bench.Sandbox.CachePathOf(Trigger));
            watch.Restart();
            RemoveLocal(bench, EvictFolder);
            Console.WriteLine($"Removed the cache folder of {files:N0} files in {watch.Elapsed.TotalSeconds:F1} s");
        }
    }

    /// <summary>Runs <see cref="ScaleChild"/> with the sandbox's variables (and <paramref name="environment"/>) and returns what it printed.</summary>
    private static ChildResult RunChild(Workbench bench, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
        var variables = new Dictionary<string, string>(bench.Sandbox.EnvironmentVariables);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        string[] prefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [typeof(ScaleChild).Assembly.Location, "scale-child"] : ["scale-child"];
        var stdout = ChildProcess.Run(self, [.. prefix, .. arguments], variables);
        return new ChildResult(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1]));
    }

    private sealed record ChildResult(IReadOnlyDictionary<string, string> Values)
    {
        public double Number(string name) =>
            Values.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : throw new InvalidOperationException($"The child did not print '{name}'.");
    }

    /// <summary>Removes a folder of the cache (untimed set-up): the library holds no lock on it between runs.</summary>
    private static void RemoveLocal(Workbench bench, string folder)
    {
        var path = Path.Combine(bench.Sandbox.CacheRoot, folder);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>The files under <paramref name="folder"/> and their bytes, as a walk that learns each size sees them.</summary>
    private static (int Files, long Bytes) Walk(string folder)
    {
        int count = 0;
        long bytes = 0;
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            count++;
            bytes += file.Length;
        }

        return (count, bytes);
    }

    /// <summary>Creates <paramref name="count"/> files of the cache files' size in a scratch folder (untimed), then times deleting them.</summary>
    private static TimeSpan DeleteFresh(Workbench bench, int count)
    {
        var folder = bench.NewScratchFolder();
        var content = new byte[CacheFileSize];
        var paths = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            if (i % PerFolder == 0)
            {
                Directory.CreateDirectory(Path.Combine(folder, (i / PerFolder).ToString(CultureInfo.InvariantCulture)));
            }

            var path = Path.Combine(folder, (i / PerFolder).ToString(CultureInfo.InvariantCulture), i.ToString(CultureInfo.InvariantCulture) + ".bin");
            File.WriteAllBytes(path, content);
            paths.Add(path);
        }

        var watch = Stopwatch.StartNew();
        foreach (var path in paths)
        {
            File.Delete(path);
        }

        var elapsed = watch.Elapsed;
        Directory.Delete(folder, recursive: true);
        return elapsed;
    }

    private static int CountFiles(string folder) =>
        Directory.Exists(folder) ? new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Count(f => !f.Name.StartsWith('.')) : 0;

    private static void Expect(int actual, int expected, string what)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{actual:N0} {what}, expected {expected:N0}.");
        }
    }

    private static string Mib(double bytes) => (bytes / (1 << 20)).ToString("F0", CultureInfo.InvariantCulture);

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
